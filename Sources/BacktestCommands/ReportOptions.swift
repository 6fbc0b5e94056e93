import ArgumentParser
import Reports

extension EquityDetail: ExpressibleByArgument {}

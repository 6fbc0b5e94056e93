@testable import Reports
import Testing

/// Numbers for people: prices and quantities to ten significant digits, without float noise.
@Suite struct FormatTests {
    @Test(arguments: [
        (7303.168599999999, "7303.1686"),
        (0.013898, "0.013898"),
        (0.7000000000000001, "0.7"),
        (100.0, "100"),
        (-2.5, "-2.5"),
        (0.0, "0"),
        (123456789.123456, "123456789.1"),
        (0.000012345678912, "0.00001234567891"),
    ])
    func significantDigitsDropFloatNoise(value: Double, text: String) {
        #expect(Format.significant(value) == text)
    }

    /// Values beyond 64-bit fixed point (an annualised return over three minutes) do not crash.
    @Test func hugeValuesAreWrittenWithAnExponent() {
        #expect(Format.fixed(1e300, decimals: 2) == "1e+300")
        #expect(Format.percent(-2e20) == "-2e+22%")
        #expect(Format.money(1e17) == "1e+17")
        #expect(Format.fixed(-1234.5, decimals: 1) == "-1234.5")
    }

    /// A flat equity line at any level is charted (at 1e16, adding 1 changes nothing).
    @Test(arguments: [0.0, 10_000, 1e16, 1e17, -5e20])
    func flatLineAtAnyLevelIsCharted(level: Double) {
        let svg = SVGChart.line(times: [0, 60_000_000_000, 120_000_000_000], values: [level, level, level], title: "Equity", yLabel: "USDT", color: "#000", fill: false, baseline: level)
        #expect(svg.contains("<svg") && !svg.contains("nan"))
    }
}

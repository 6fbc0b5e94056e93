import Foundation
import MarketData

/// Reads configuration and grid files: regular files only (a symlink to one is fine), at most
/// ``RegularFile/configurationSizeLimit`` bytes, checked before anything is parsed.
enum InputText {
    /// The bytes of `path`.
    /// - Throws: ``CommandFailure`` naming the file, what is wrong, and the option to fix.
    static func read(_ path: String, role: String, option: String) throws -> Data {
        do {
            return Data(try RegularFile.read(
                path, role: role, limit: RegularFile.configurationSizeLimit,
                limitAdvice: "A \(role) is a few kilobytes of JSON: check that \(option) names the right file."
            ))
        } catch {
            let advice = error.advice.isEmpty || error.reason == "no such file" ? "Check the path given to \(option)." : error.advice
            throw CommandFailure("Cannot read the \(role) \(path): \(error.reason). \(advice)")
        }
    }
}

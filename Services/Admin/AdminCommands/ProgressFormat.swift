import Foundation

/// The pieces of the CLI's progress bars (`kinship import`, `kinship demo send`), drawn on standard error.
enum ProgressFormat {
    static let onTerminal = isatty(STDERR_FILENO) == 1
    /// How often a bar is redrawn at most.
    static let interval = Duration.milliseconds(200)

    /// `[#########.....................]` for a fraction from 0 to 1.
    static func bar(_ fraction: Double, width: Int = 30) -> String {
        let filled = Int(min(max(fraction, 0), 1) * Double(width))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// `m:ss` (minutes may pass 59).
    static func clock(_ seconds: Double) -> String {
        let total = seconds.isFinite ? max(Int(seconds.rounded()), 0) : 0
        return String(format: "%d:%02d", total / 60, total % 60)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Replaces the bar's line; `final` ends it with a line break.
    static func draw(_ line: String, final: Bool = false) {
        FileHandle.standardError.write(Data(("\r" + line + (final ? "\n" : "")).utf8))
    }
}

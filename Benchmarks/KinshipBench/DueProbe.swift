import Foundation
import KinshipCore

/// The time-driven measure's profiles and segment. Each profile has one event, a track of a name nothing
/// else sends, dated one window before the moment it falls due: it is in the segment ("did it in the last
/// day") until then, and time alone makes it leave at that moment.
enum DueProbe {
    static let eventName = "Due Probe"
    static let window: TimeInterval = 86_400
    static let segment = SegmentDraft(
        name: "due probe in the last day", definition: .object(["event": .string(eventName), "within_days": .number(1)])
    )
    /// Message ids of the measured profiles' events (`due-N`) and of the calibration's (`calibration-N`).
    static let measuredPrefix = "due-"
    static let calibrationPrefix = "calibration-"

    /// The event of the profile with this message id that falls due at `due`.
    static func event(messageId: String, due: Date) -> BenchEvent {
        .track(eventName, messageId: messageId, userId: "user-" + messageId, time: Timestamp.format(due.addingTimeInterval(-window)))
    }
}

/// How a process writes its log lines: JSON objects for collectors, or plain text for people.
public enum LogFormat: String, Sendable, CaseIterable {
    case json, text
}

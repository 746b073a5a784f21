/// A small user-agent classifier: device type, browser and operating system, from the common tokens.
/// Checks run in order because browsers name each other (Edge says Chrome and Safari; Chrome says Safari).
struct UserAgent: Sendable, Hashable {
    let deviceType: String
    let browser: String?
    let os: String?

    init(_ agent: String) {
        func has(_ token: String) -> Bool { agent.contains(token) }
        if has("iPad") || has("Tablet") {
            deviceType = "tablet"
        } else if has("Mobile") || has("iPhone") || has("Android") {
            deviceType = "mobile"
        } else {
            deviceType = "desktop"
        }
        if !has("Mozilla/") {
            browser = "app"
        } else if has("Edg/") {
            browser = "Edge"
        } else if has("Firefox/") || has("FxiOS/") {
            browser = "Firefox"
        } else if has("Chrome/") || has("CriOS/") {
            browser = "Chrome"
        } else if has("Safari/") {
            browser = "Safari"
        } else {
            browser = nil
        }
        if has("iPhone") || has("iPad") || has("iOS") {
            os = "iOS"
        } else if has("Android") {
            os = "Android"
        } else if has("Windows") {
            os = "Windows"
        } else if has("Mac OS X") || has("Macintosh") {
            os = "Mac OS X"
        } else if has("Linux") {
            os = "Linux"
        } else {
            os = nil
        }
    }
}

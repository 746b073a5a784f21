import KinshipCore

extension SealedFields {
    /// What stands in a masked answer where a sealed value was.
    public static let maskedValue = JSONValue.string("••••")

    /// The value with every sealed value in it replaced by `maskedValue`, for callers who may not see
    /// personal data in clear; nothing is opened.
    public static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            if isSealed(value) { return maskedValue }
            return .object(object.mapValues(masked))
        case .array(let values):
            return .array(values.map(masked))
        default:
            return value
        }
    }
}

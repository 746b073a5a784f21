import KinshipCore

/// Which keys and values are personal or sensitive, and so sealed at rest wherever they are: by key name
/// (`DataClassification`'s rules, matched ignoring case and everything but letters and digits, so
/// `email_address`, `Phone Number` and `customerEmail` are found) and by value (a string that holds an
/// e-mail address or is shaped like a phone number, whatever its key: an e-mail in a page URL).
///
/// Ingestion asks for every key and string it passes through, so the ASCII path compares bytes without
/// making strings; a workspace's own additions (`DataClassification.Rules`) take the general path too.
public struct PersonalData: Sendable, Equatable {
    public let rules: DataClassification.Rules
    /// The names that make a key personal or sensitive, normalised, as bytes, by length.
    private let namesByLength: [[[UInt8]]]
    private let endings: [[UInt8]]

    public static let standard = PersonalData(rules: .standard)

    public init(rules: DataClassification.Rules) {
        self.rules = rules
        var byLength = Array(repeating: [[UInt8]](), count: Self.longestASCIIKey + 1)
        for name in rules.personalNames.union(rules.sensitiveNames) where name.utf8.count <= Self.longestASCIIKey {
            byLength[name.utf8.count].append(Array(name.utf8))
        }
        namesByLength = byLength
        endings = DataClassification.personalEndings.map { Array($0.utf8) }
    }

    public static func == (lhs: PersonalData, rhs: PersonalData) -> Bool { lhs.rules == rhs.rules }

    /// Keys longer than this (normalised) take the general path.
    private static let longestASCIIKey = 48

    /// Whether a key's value is sealed: the key is personal or sensitive. `name` alone is a person's name
    /// only where a person is described (`traits`, `context.traits`, `customer`…); in `properties` it is
    /// a product's or a page's.
    public func seals(key: String, describingPerson: Bool) -> Bool {
        // Ingestion asks for every key of every message: most are refused by the byte comparison, which
        // says yes to every key the rules could seal, before the rules' Foundation normalising runs.
        var bytes = key
        guard bytes.withUTF8({ maySeal(utf8: UnsafeRawBufferPointer($0)) }) else { return false }
        return rules.sensitivity(of: key, describingPerson: describingPerson) != .none
    }

    /// The first component of a path into a profile's traits (`["address", "state"]`) whose key is sealed
    /// by name, as `SealedFields.sealsTrait` looks at a trait: the trait's own name where a person is
    /// described, and each key inside it where its container describes one. Nil when none is. A trait that
    /// holds such a key is sealed whole, so below that component nothing is readable in clear.
    public func firstSealedComponent(ofTraitPath path: [String]) -> Int? {
        var describingPerson = true
        for (index, name) in path.enumerated() {
            if seals(key: name, describingPerson: describingPerson) { return index }
            describingPerson = Self.describesPerson(name)
        }
        return nil
    }

    /// `seals(key:describingPerson:)` for any container, on the key's UTF-8 bytes: true for `name` too.
    /// Ingestion uses it to decide which objects to parse and look at; the look decides.
    public func maySeal(utf8 key: UnsafeRawBufferPointer) -> Bool {
        guard key.count <= Self.longestASCIIKey, key.allSatisfy({ $0 < 0x80 }) else {
            return rules.sensitivity(of: String(decoding: key, as: UTF8.self), describingPerson: true) != .none
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.count) { buffer in
            var count = 0
            for byte in key {
                guard let kept = DataClassification.normalised(ascii: byte) else { continue }
                buffer[count] = kept
                count += 1
            }
            let name = UnsafeBufferPointer(rebasing: buffer[..<count])
            if count == 4, name.elementsEqual("name".utf8) { return true }
            if namesByLength[count].contains(where: { $0.elementsEqual(name) }) { return true }
            return endings.contains { ending in ending.count < count && name[(count - ending.count)...].elementsEqual(ending) }
        }
    }

    /// Whether a key names a container whose `name` is a person's (`customer`, `billing`, `recipient`…).
    public static func describesPerson(_ key: String) -> Bool {
        DataClassification.personContainers.contains(DataClassification.normalised(key))
    }

    /// A string sealed whatever its key: it holds an e-mail address (also URL-encoded, `%40`), or, unless
    /// its key names an id or a code, it is shaped like a phone number (`+66 81 234 5678`, `081-234-5678`).
    public static func sealsValue(_ text: String, key: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let utf8 = UnsafeRawBufferPointer(bytes)
            if containsEmail(utf8) { return true }
            return looksLikePhone(utf8) && !DataClassification.namesAnID(key)
        }
    }

    /// Whether a string may be sealed by `sealsValue` under some key: ingestion parses what holds one.
    public static func maySealValue(utf8 text: UnsafeRawBufferPointer) -> Bool {
        containsEmail(text) || looksLikePhone(text)
    }

    /// An address `local@domain.tld` anywhere in the text, its `@` also written `%40`.
    static func containsEmail(_ text: UnsafeRawBufferPointer) -> Bool {
        var index = 1
        while index < text.count {
            defer { index += 1 }
            let separatorLength: Int
            if text[index] == UInt8(ascii: "@") {
                separatorLength = 1
            } else if text[index] == UInt8(ascii: "%"), index + 2 < text.count, text[index + 1] == UInt8(ascii: "4"), text[index + 2] == UInt8(ascii: "0") {
                separatorLength = 3
            } else {
                continue
            }
            guard isLocalPart(text[index - 1]) else { continue }
            // The domain: labels of letters, digits and `-`, at least one dot, a last label of two letters or more.
            var position = index + separatorLength
            var dots = 0
            var lastLabelLetters = 0
            var labelLength = 0
            while position < text.count {
                let byte = text[position]
                if byte == UInt8(ascii: ".") {
                    guard labelLength > 0 else { break }
                    dots += 1
                    labelLength = 0
                    lastLabelLetters = 0
                } else if isLetter(byte) {
                    labelLength += 1
                    lastLabelLetters += 1
                } else if isDigit(byte) || byte == UInt8(ascii: "-") {
                    labelLength += 1
                    lastLabelLetters = -1_000
                } else {
                    break
                }
                position += 1
            }
            if dots > 0, labelLength > 0, lastLabelLetters >= 2 { return true }
        }
        return false
    }

    /// Nine to fifteen digits, written with `+`, spaces, `-` and brackets only, starting with `+`, `0` or `(`.
    static func looksLikePhone(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.count >= 9, text.count <= 24 else { return false }
        var digits = 0
        var first: UInt8?
        for byte in text {
            if isDigit(byte) {
                digits += 1
            } else if byte == UInt8(ascii: "+") {
                guard first == nil else { return false }
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "(") && byte != UInt8(ascii: ")") {
                return false
            }
            if first == nil, byte != UInt8(ascii: " ") { first = byte }
        }
        guard digits >= 9, digits <= 15, let first else { return false }
        return first == UInt8(ascii: "+") || first == UInt8(ascii: "0") || first == UInt8(ascii: "(")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLocalPart(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }
}

import Crypto
import Foundation
import Testing
@testable import KinshipCore
@testable import KinshipPrivacy
@testable import KinshipDatabase
@testable import KinshipOutbox

struct PrivacyTests {
    static func hex(_ text: String) -> Data {
        var data = Data()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            data.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return data
    }

    let fixedKey = SymmetricKey(data: Data(0..<32))
    let fixedKeyID = KeyID(bytes: Data(1...8))!

    /// The expected bytes were computed outside Swift, with Python's `cryptography` (AESGCM) and `hmac`.
    @Test func sealedValueMatchesAnIndependentlyComputedVector() throws {
        let sealed = try SealedBox.seal(
            Data("ada@example.com".utf8), key: fixedKey, keyID: fixedKeyID, context: Data("workspace-1".utf8),
            nonce: try AES.GCM.Nonce(data: Data(0xA0...0xAB))
        )
        #expect(sealed == Self.hex("010102030405060708a0a1a2a3a4a5a6a7a8a9aaab877c1d6d20b363d21209e2fd6415ad2d8d27e5b12465733db10ee7e410ca0f"))
        let opened = try SealedBox.open(sealed, key: fixedKey, context: Data("workspace-1".utf8))
        #expect(String(decoding: opened, as: UTF8.self) == "ada@example.com")
    }

    @Test func blindIndexMatchesKnownVectors() {
        // RFC 4231, test case 2.
        let rfc = BlindIndex(key: SymmetricKey(data: Data("Jefe".utf8)))
        #expect(rfc.mac(Data("what do ya want for nothing?".utf8)) == Self.hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        // RFC 4231, test case 6: a key longer than SHA-256's block is hashed first.
        let long = BlindIndex(key: SymmetricKey(data: Data(repeating: 0xaa, count: 131)))
        #expect(long.mac(Data("Test Using Larger Than Block-Size Key - Hash Key First".utf8)) == Self.hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
        // And swift-crypto's HMAC agrees for keys and messages of every length around the block size.
        for keyLength in [0, 1, 32, 63, 64, 65, 200] {
            let key = SymmetricKey(data: Data((0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }))
            for messageLength in [0, 1, 55, 56, 64, 119, 1_000] {
                let message = Data((0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ keyLength) })
                #expect(BlindIndex(key: key).mac(message) == Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
            }
        }
        let index = BlindIndex(key: fixedKey)
        #expect(index.token(type: "email", normalizedValue: "ada@example.com") == Self.hex("ab7633e9aa5fb26b48b11b6c9f0080f9075f6a1d2d2cf95961e6670b759cbd96"))
        #expect(index.token(type: "user_id", normalizedValue: "ada@example.com") != index.token(type: "email", normalizedValue: "ada@example.com"))
    }

    @Test func noncesNeverRepeatAcrossBufferRefills() {
        let nonces = (0..<2_000).map { _ in Data(NonceSource.next()) }
        #expect(Set(nonces).count == nonces.count)
        #expect(nonces.allSatisfy { $0.count == 12 })
    }

    @Test func dataKeyRoundTripsAndNeverRepeatsCiphertext() throws {
        let key = DataKey.generate()
        let first = try key.seal("+66812345678", context: Data("p1".utf8))
        let second = try key.seal("+66812345678", context: Data("p1".utf8))
        #expect(first != second)
        #expect(try key.openString(first, context: Data("p1".utf8)) == "+66812345678")
        #expect(!String(decoding: first, as: UTF8.self).contains("66812345678"))
    }

    @Test func everyTamperedByteIsRefused() throws {
        let key = DataKey.generate()
        let sealed = try key.seal("secret", context: Data("ctx".utf8))
        for position in SealedBox.headerCount..<sealed.count {
            var tampered = sealed
            tampered[position] ^= 0x01
            #expect(throws: DecryptionError.tampered) { try key.open(tampered, context: Data("ctx".utf8)) }
        }
        #expect(throws: DecryptionError.malformed) { try key.open(sealed.prefix(20), context: Data("ctx".utf8)) }
        var wrongVersion = sealed
        wrongVersion[0] = 9
        #expect(throws: DecryptionError.malformed) { try key.open(wrongVersion, context: Data("ctx".utf8)) }
    }

    @Test func wrongKeyOrWrongContextIsRefused() throws {
        let key = DataKey.generate()
        let other = DataKey.generate()
        let sealed = try key.seal("secret", context: Data("profile-a".utf8))
        #expect(throws: DecryptionError.unknownKey(key.id)) { try other.open(sealed, context: Data("profile-a".utf8)) }
        #expect(throws: DecryptionError.tampered) { try key.open(sealed, context: Data("profile-b".utf8)) }
        // A different key that claims the same id still fails authentication.
        let impostor = DataKey(id: key.id, key: SymmetricKey(size: .bits256))
        #expect(throws: DecryptionError.tampered) { try impostor.open(sealed, context: Data("profile-a".utf8)) }
    }

    @Test func masterKeyWrapsDataKeysAndRotates() throws {
        let oldRaw = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let newRaw = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let old = try MasterKeyring(current: oldRaw)
        let dataKey = DataKey.generate()
        let sealedValue = try dataKey.seal("kept across rotation")
        let wrappedOld = try old.wrap(dataKey)
        #expect(try SealedBox.keyID(of: wrappedOld) == old.currentID)

        let rotated = try MasterKeyring(current: newRaw, retired: [oldRaw])
        #expect(rotated.currentID != old.currentID)
        #expect(try rotated.needsRewrap(wrappedOld))
        let wrappedNew = try rotated.rewrap(wrappedOld)
        #expect(try !rotated.needsRewrap(wrappedNew))
        #expect(try rotated.unwrap(wrappedNew).openString(sealedValue) == "kept across rotation")

        let newOnly = try MasterKeyring(current: newRaw)
        #expect(throws: DecryptionError.unknownKey(old.currentID)) { try newOnly.unwrap(wrappedOld) }
        #expect(try newOnly.unwrap(wrappedNew).id == dataKey.id)

        var tampered = wrappedNew
        tampered[tampered.count - 1] ^= 0x80
        #expect(throws: DecryptionError.tampered) { try newOnly.unwrap(tampered) }
    }

    @Test func secretTokensAreRandomPrefixedAndHashedStably() {
        let first = SecretToken.generate(prefix: "wk_")
        let second = SecretToken.generate(prefix: "wk_")
        #expect(first.hasPrefix("wk_") && first.count == 3 + 43)
        #expect(first != second)
        #expect(!first.contains("+") && !first.contains("/") && !first.contains("="))
        #expect(SecretToken.hash(first) == SecretToken.hash(first))
        #expect(SecretToken.hash(first) == Data(SHA256.hash(data: Data(first.utf8))))
        #expect(SecretToken.hash(first) != SecretToken.hash(second))
    }
}

import Testing

@testable import Persistence

/// Content ids are SHA-256 digests (FIPS 180-4's test vectors, and `sha256sum` for the others)
/// written as hex or as UUIDs with version nibble 8 and variant 10: the same text must give the
/// same id in every release, since stored rows are keyed by them.
@Suite struct ContentIdentifierTests {
    @Test func sha256HexIsTheDigestInLowercaseHex() {
        #expect(ContentIdentifier.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentIdentifier.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Two blocks (56 bytes).
        #expect(ContentIdentifier.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func uuidIsTheDigestsFirst16BytesWithVersion8AndVariant10() {
        // SHA-256("abc") starts ba7816bf 8f01 cfea 4141 40de5dae2223: byte 6 0xcf becomes 0x8f,
        // byte 8 0x41 becomes 0x81.
        #expect(ContentIdentifier.uuid(of: "abc") == "ba7816bf-8f01-8fea-8141-40de5dae2223")
        // UTF-8 bytes are hashed: "é" is c3 a9 (sha256sum: 4a99557e 4033 c353 9de2 eb65472017ca).
        #expect(ContentIdentifier.uuid(of: "é") == "4a99557e-4033-8353-9de2-eb65472017ca")
        // `printf 'bot|{"a":1}' | sha256sum`: 8d47cd24 5d3b 280f c142 42e5e9f20ace.
        #expect(ContentIdentifier.uuid(of: #"bot|{"a":1}"#) == "8d47cd24-5d3b-880f-8142-42e5e9f20ace")
    }
}

// A compile-only stand-in for swift-crypto's `SHA256`, so the fuzz target can be built with
// `swiftc -sanitize=fuzzer,address` straight from the MarketData sources. The loading path it
// drives (bytes in, candles or a refusal out) never hashes: a call here is a bug in the target.

public struct SHA256Digest: Sequence {
    public func makeIterator() -> IndexingIterator<[UInt8]> { [UInt8]().makeIterator() }
}

public struct SHA256 {
    public init() {}

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        fatalError("SHA-256 is not part of the fuzz build")
    }

    public func finalize() -> SHA256Digest {
        fatalError("SHA-256 is not part of the fuzz build")
    }

    public static func hash<Bytes: Sequence>(data: Bytes) -> SHA256Digest where Bytes.Element == UInt8 {
        fatalError("SHA-256 is not part of the fuzz build")
    }
}

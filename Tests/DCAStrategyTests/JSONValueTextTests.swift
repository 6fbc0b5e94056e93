import DCAStrategy
import Testing

/// JSON text is what run and bot ids hash: its bytes must never change.
@Suite struct JSONValueTextTests {
    @Test func compactTextEscapesAndFormatsAsWritten() {
        let value = JSONValue.object([
            ("name", .string("a \"quoted\" \\ back\nline\ttab\r\u{01}\u{1f} é €")),
            ("n", .number(0.015)), ("whole", .number(630)), ("negative", .number(-2.5)), ("zero", .number(-0.0)),
            ("big", .number(1e15)), ("tiny", .number(1e-7)), ("nan", .number(.nan)),
            ("i", .integer(-9_223_372_036_854_775_808)), ("j", .integer(0)), ("k", .integer(42)),
            ("list", .array([.bool(true), .bool(false), .null, .array([]), .object([])])),
        ])
        #expect(value.text() == #"{"name":"a \"quoted\" \\ back\nline\ttab\r\u0001\u001f é €","n":0.015,"whole":630,"negative":-2.5,"zero":0,"big":1000000000000000.0,"tiny":1e-07,"nan":null,"i":-9223372036854775808,"j":0,"k":42,"list":[true,false,null,[],{}]}"#)
    }

    @Test func stringsThatStartOrEndWithAnEscapeOrAreEmpty() {
        #expect(JSONValue.string("").text() == "\"\"")
        #expect(JSONValue.string("\"").text() == "\"\\\"\"")
        #expect(JSONValue.string("\\x\n").text() == "\"\\\\x\\n\"")
        #expect(JSONValue.string("\u{0}€").text() == "\"\\u0000€\"")
    }

    @Test func prettyTextIndentsByTwoSpaces() {
        let value = JSONValue.object([("a", .array([.integer(1), .object([("b", .string("x"))])])), ("c", .object([]))])
        #expect(value.text(pretty: true) == "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\"\n    }\n  ],\n  \"c\": {}\n}")
    }
}

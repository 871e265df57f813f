import Testing

@testable import BounceMail

@Suite struct MIMETests {
    @Test func foldedHeadersAreUnfolded() {
        let h = MailHeaders(block: Array("Subject: Undelivered\r\n Mail Returned\r\nFrom: a@b.example\r\n".utf8)[...])
        #expect(h.raw("subject") == "Undelivered Mail Returned")
        #expect(h.raw("FROM") == "a@b.example")
    }

    @Test func aParameterListCutAfterASemicolonContinuesOnAnUnindentedLine() {
        let h = MailHeaders(
            block: Array(
                "Content-Type: multipart/alternative;\r\nboundary=\"b2\"\r\nstray line\r\nTo: x@y.example\r\n".utf8)[
                    ...])
        #expect(ContentType(h.raw("content-type") ?? "").parameters["boundary"] == "b2")
        // A line without a colon after a field that does not end in ";" is still skipped.
        #expect(h.fields.map(\.lowercasedName) == ["content-type", "to"])
        #expect(h.raw("to") == "x@y.example")
    }

    @Test func encodedWordsDecodeInTheirCharsets() {
        // RFC 2047 section 8 examples, plus an ISO-2022-JP word that needs iconv.
        #expect(EncodedWords.decode("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") == "Keld Jørn Simonsen")
        #expect(
            EncodedWords.decode(
                "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
            )
                == "If you can read this you understand the example.")
        #expect(EncodedWords.decode("(=?ISO-8859-1?Q?a?= b)") == "(a b)")
        #expect(EncodedWords.decode("=?UTF-8?B?5LiN6IO96YWN6YCB?=") == "不能配送")
        // "テスト" in ISO-2022-JP: ESC $ B %F%9%H ESC ( B
        #expect(EncodedWords.decode("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=") == "テスト")
        #expect(EncodedWords.decode("=?bogus?X?abc?= plain") == "=?bogus?X?abc?= plain")
    }

    @Test func transferEncodingsDecode() {
        #expect(String(decoding: TransferEncoding.base64(Array("aGVs\r\nbG8=".utf8)[...]), as: UTF8.self) == "hello")
        let qp = "550 5.1.1 user=\r\n unknown =3D gone=20\r\n"
        #expect(
            String(decoding: TransferEncoding.quotedPrintable(Array(qp.utf8)[...]), as: UTF8.self)
                == "550 5.1.1 user unknown = gone \r\n")
        // A broken escape is kept as written.
        #expect(String(decoding: TransferEncoding.quotedPrintable(Array("a=ZZb".utf8)[...]), as: UTF8.self) == "a=ZZb")
    }

    @Test func contentTypeParametersIncludingRFC2231() {
        let c = ContentType("Multipart/Report; report-type=delivery-status;\tboundary=\"a;b\"")
        #expect(c.mimeType == "multipart/report")
        #expect(c.boundary == "a;b")
        #expect(c.parameters["report-type"] == "delivery-status")
        let d = ContentType("text/plain; charset*=utf-8''%E4%B8%8D; title*0=\"ab\"; title*1=\"cd\"")
        #expect(d.charset == "不")
        #expect(d.parameters["title"] == "abcd")
    }

    @Test func nestedMultipartAndEnclosedMessages() throws {
        let mail = Fixtures.crlf(
            """
            From: a@example.org
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Caf=E9
            --inner--
            --outer
            Content-Type: message/rfc822

            Message-ID: <x@example.org>
            Subject: inner

            body
            --outer--
            """)
        var p = MIMEParser(limits: MailLimits())
        let root = try p.parse(mail[...], depth: 0)
        #expect(root.parts.count == 2)
        #expect(root.parts[0].parts.first?.text == "Café")
        #expect(root.parts[1].enclosed.first?.headers.raw("message-id") == "<x@example.org>")
        #expect(root.allParts.count == 5)
    }

    @Test func capsKeepOversizedAndDeepMailsUnparsed() {
        let big = [UInt8](repeating: 0x41, count: 2048)
        #expect(throws: MailReadError.tooLarge(bytes: 2067, limit: 1024)) {
            try MailReader.read(Array("From: a@b.example\n\n".utf8) + big, limits: MailLimits(maxBytes: 1024))
        }
        // Ten nested multiparts, over a depth cap of 4.
        var mail = "From: a@b.example\nContent-Type: multipart/mixed; boundary=b0\n\n"
        for i in 1...10 { mail += "--b\(i - 1)\nContent-Type: multipart/mixed; boundary=b\(i)\n\n" }
        #expect(throws: MailReadError.tooDeep(limit: 4)) {
            try MailReader.read(Array(mail.utf8), limits: MailLimits(maxDepth: 4))
        }
        #expect(throws: MailReadError.empty) { try MailReader.read(Array("\n\nno headers".utf8)) }
    }

    @Test func addressesAndCodesInText() {
        #expect(Addresses.all(in: "RCPT TO:<a.b+c@example.org>: 550 no; cc x@y") == ["a.b+c@example.org"])
        #expect(StatusCodes.enhanced(in: "said: 550 5.1.1 <u@example.org>") == "5.1.1")
        #expect(StatusCodes.enhanced(in: "version 1.2.3.4 only") == nil)
        #expect(StatusCodes.reply(in: "host said: 552-5.2.2 over quota") == 552)
        #expect(SMTPCommand.find(in: "(in reply to RCPT TO command)") == "RCPT")
        #expect(SMTPCommand.find(in: "(in reply to end of DATA command)") == "DATA")
    }
}

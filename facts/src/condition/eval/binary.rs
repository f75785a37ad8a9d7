//! Binary condition values (`BinaryEquals`): base64 text, compared by decoded bytes.
//!
//! Reference: IAM User Guide, "Condition operators", binary condition operators: the value
//! in the policy is the base64-encoded binary value. iamlogic decodes both the policy value
//! and the request value (standard alphabet, `=` padding optional) and compares the bytes; a
//! value that is not base64 matches nothing.

/// Decode standard base64 (RFC 4648 §4); `None` if `text` is not valid base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_end_matches('=');
    if text.len() - t.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in t.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    // A lone trailing sextet cannot encode a byte.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rfc4648_vectors() {
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode_base64("Zm8=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode_base64("Zm9v").as_deref(), Some(&b"foo"[..]));
        assert_eq!(decode_base64("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(decode_base64("Zm9vYg").as_deref(), Some(&b"foob"[..]));
    }

    #[test]
    fn rejects_non_base64() {
        assert!(decode_base64("Zm9v!").is_none());
        assert!(decode_base64("Z").is_none());
        assert!(decode_base64("Zg===").is_none());
    }
}

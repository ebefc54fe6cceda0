//! Encryption at rest for a shared store: AES-256-GCM (`ring`), a random
//! nonce per entry, and the entry's store key bound as associated data.
//!
//! Why each choice:
//!
//! - **AES-256-GCM** authenticates as well as hides: an entry changed in
//!   Redis, or written by someone without the key, fails to open and
//!   becomes a miss instead of being served.
//! - **A random 96-bit nonce per entry** (from the operating system's
//!   generator): gateway nodes writing with the same key share no counter,
//!   so a counter nonce would repeat across nodes. Random nonces stay safe
//!   for about 2^32 entries written under one key (NIST SP 800-38D); rotate
//!   the key well before (a cache's entries are short-lived, so rotating
//!   costs one cold cache).
//! - **The store key as associated data**: an entry copied or renamed to
//!   another key (another stage, another caller's parameters) fails to
//!   open, so nobody with write access to Redis but without the key can
//!   make one caller's response answer another's request.
//!
//! A sealed entry is `MARKER ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`.
//! The marker differs from the plain format's version byte, so a store
//! without the key reads an encrypted entry as unreadable (a miss), and a
//! store with the key reads a plain one as unreadable too.

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// The first byte of a sealed entry (the plain format starts with its
/// version, 1).
const MARKER: u8 = 0xE1;

/// The AES-GCM tag's length.
const TAG_LEN: usize = 16;

/// Bytes a sealed entry holds beyond its plaintext.
pub(crate) const SEALED_OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// A 256-bit key encrypting cache entries at rest (AES-256-GCM).
///
/// Make one with `openssl rand -base64 32` (or `openssl rand -hex 32`) and
/// give every gateway node sharing the Redis the same key. Read it with
/// [`parse`](Self::parse) (base64 or hex text, as found in a secret store
/// or an environment variable) or [`from_bytes`](Self::from_bytes).
///
/// `Debug` never shows the key.
#[derive(Clone)]
pub struct EncryptionKey([u8; KEY_LEN]);

/// An AES-256 key's length in bytes.
const KEY_LEN: usize = 32;

impl EncryptionKey {
    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// A key from raw bytes, which must be exactly 32.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EncryptionKeyError> {
        <[u8; KEY_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| EncryptionKeyError::Length(bytes.len()))
    }

    /// A key from text: 64 hexadecimal digits, or base64 of 32 bytes
    /// (standard or URL-safe alphabet, padding optional). Surrounding
    /// whitespace (a trailing newline from a file) is ignored.
    pub fn parse(text: &str) -> Result<Self, EncryptionKeyError> {
        let text = text.trim();
        // Base64 of 32 bytes is 43 characters (44 padded), hex 64: text of
        // hex digits only is read as hex unless it has base64's length.
        let hex = text.bytes().all(|b| b.is_ascii_hexdigit());
        if hex && text.len() != 43 {
            if text.len() % 2 == 1 {
                return Err(EncryptionKeyError::Text);
            }
            return Self::from_slice(&decode_hex(text)?);
        }
        match decode_base64(text) {
            Some(bytes) => Self::from_slice(&bytes),
            None => Err(EncryptionKeyError::Text),
        }
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(***)")
    }
}

/// Why bytes or text are not an [`EncryptionKey`]. The messages never
/// repeat the key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptionKeyError {
    /// Not 32 bytes.
    #[error(
        "a cache encryption key must be 32 bytes (AES-256), got {0}; generate one with `openssl rand -base64 32`"
    )]
    Length(usize),
    /// Neither hexadecimal nor base64.
    #[error(
        "a cache encryption key must be written as 64 hexadecimal digits or as base64 of 32 bytes (`openssl rand -base64 32`); the text given is neither"
    )]
    Text,
}

/// Seals and opens entries with one key.
pub(crate) struct Cipher {
    key: LessSafeKey,
    random: SystemRandom,
}

/// An entry that does not open: not sealed, sealed with another key,
/// under another store key, or altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpenError {
    /// Too short, or without the marker: not written by an encrypting store.
    #[error("the entry is not encrypted (written by a store without an encryption key?)")]
    NotSealed,
    /// Authentication failed.
    #[error(
        "the entry does not decrypt: another encryption key, moved from another key, or altered"
    )]
    Rejected,
}

/// The system's random generator failed (no entropy source): nothing is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random generator failed; the entry is not encrypted nor kept")]
pub(crate) struct SealError;

impl Cipher {
    pub(crate) fn new(key: &EncryptionKey) -> Self {
        // Never fails: AES-256 takes exactly the 32 bytes a key holds.
        let unbound = UnboundKey::new(&AES_256_GCM, &key.0)
            .unwrap_or_else(|_| unreachable!("an EncryptionKey is 32 bytes"));
        Self {
            key: LessSafeKey::new(unbound),
            random: SystemRandom::new(),
        }
    }

    /// `plaintext` encrypted and authenticated, bound to `context` (the store key).
    pub(crate) fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).map_err(|_| SealError)?;
        let mut sealed = Vec::with_capacity(SEALED_OVERHEAD + plaintext.len());
        sealed.push(MARKER);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(plaintext);
        let tag = self
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut sealed[1 + NONCE_LEN..],
            )
            .map_err(|_| SealError)?;
        sealed.extend_from_slice(tag.as_ref());
        Ok(sealed)
    }

    /// The plaintext of `sealed`, if it was sealed with this key under `context`.
    pub(crate) fn open(&self, context: &[u8], mut sealed: Vec<u8>) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < SEALED_OVERHEAD || sealed[0] != MARKER {
            return Err(OpenError::NotSealed);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
        let plaintext_len = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut sealed[1 + NONCE_LEN..],
            )
            .map_err(|_| OpenError::Rejected)?
            .len();
        // Shift the plaintext to the front and drop the header and the tag.
        sealed.copy_within(1 + NONCE_LEN..1 + NONCE_LEN + plaintext_len, 0);
        sealed.truncate(plaintext_len);
        Ok(sealed)
    }
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(AES-256-GCM, ***)")
    }
}

fn decode_hex(text: &str) -> Result<Vec<u8>, EncryptionKeyError> {
    let digit = |b: u8| char::from(b).to_digit(16).ok_or(EncryptionKeyError::Text);
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => Ok((digit(*high)? << 4 | digit(*low)?) as u8),
            _ => Err(EncryptionKeyError::Text),
        })
        .collect()
}

/// Base64 (RFC 4648), standard or URL-safe alphabet, padding optional;
/// `None` for anything else (including non-zero unused bits).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut bits: u32 = 0;
        for &b in chunk {
            bits = bits << 6 | value(b)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&bits.to_be_bytes()[1..]),
            3 if bits & 0b11 == 0 => out.extend_from_slice(&(bits >> 2).to_be_bytes()[2..]),
            2 if bits & 0b1111 == 0 => out.push((bits >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> Cipher {
        Cipher::new(&EncryptionKey::from_bytes([byte; 32]))
    }

    #[test]
    fn seals_and_opens() {
        let cipher = cipher(7);
        let sealed = cipher.seal(b"key-a", b"the body").unwrap();
        assert_eq!(sealed.len(), SEALED_OVERHEAD + 8);
        assert!(!sealed.windows(8).any(|w| w == b"the body"));
        assert_eq!(cipher.open(b"key-a", sealed).unwrap(), b"the body");
        let empty = cipher.seal(b"", b"").unwrap();
        assert_eq!(cipher.open(b"", empty).unwrap(), b"");
    }

    #[test]
    fn nonces_differ() {
        let cipher = cipher(7);
        assert_ne!(
            cipher.seal(b"k", b"x").unwrap(),
            cipher.seal(b"k", b"x").unwrap()
        );
    }

    #[test]
    fn wrong_key_context_or_bytes_are_refused() {
        let sealed = cipher(7).seal(b"key-a", b"the body").unwrap();
        assert_eq!(
            cipher(8).open(b"key-a", sealed.clone()),
            Err(OpenError::Rejected)
        );
        assert_eq!(
            cipher(7).open(b"key-b", sealed.clone()),
            Err(OpenError::Rejected)
        );
        for at in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[at] ^= 1;
            assert!(cipher(7).open(b"key-a", altered).is_err(), "{at}");
        }
        for len in 0..sealed.len() {
            assert!(cipher(7).open(b"key-a", sealed[..len].to_vec()).is_err());
        }
        assert_eq!(
            cipher(7).open(b"key-a", vec![1, 0, 200, 0, 0, 0, 0]),
            Err(OpenError::NotSealed)
        );
    }

    #[test]
    fn keys_parse_from_hex_and_base64() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 37 + 5) as u8);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let parsed = EncryptionKey::parse(&hex).unwrap();
        assert_eq!(parsed.0, bytes);
        assert_eq!(EncryptionKey::parse(&hex.to_uppercase()).unwrap().0, bytes);
        // `openssl rand -base64 32` of these bytes, with and without padding, and URL-safe.
        let base64 = "BSpPdJm+4wgtUnecweYLMFV6n8TpDjNYfaLH7BE2W4A=";
        assert_eq!(EncryptionKey::parse(base64).unwrap().0, bytes);
        assert_eq!(
            EncryptionKey::parse(base64.trim_end_matches('='))
                .unwrap()
                .0,
            bytes
        );
        let url_safe = base64.replace('+', "-").replace('/', "_");
        assert_eq!(EncryptionKey::parse(&url_safe).unwrap().0, bytes);
        assert_eq!(
            EncryptionKey::parse(&format!("  {base64}\n")).unwrap().0,
            bytes
        );
    }

    #[test]
    fn wrong_keys_are_explained_without_their_bytes() {
        assert_eq!(
            EncryptionKey::parse("c2hvcnQ=").unwrap_err(),
            EncryptionKeyError::Length(5)
        );
        assert_eq!(
            EncryptionKey::parse(&"ab".repeat(16)).unwrap_err(),
            EncryptionKeyError::Length(16)
        );
        assert_eq!(
            EncryptionKey::parse("not a key!").unwrap_err(),
            EncryptionKeyError::Text
        );
        assert_eq!(
            EncryptionKey::parse("").unwrap_err(),
            EncryptionKeyError::Length(0)
        );
        // Unused bits set, a lone sixth of a byte.
        assert!(decode_base64("AB").is_none());
        assert!(decode_base64("A").is_none());
        assert_eq!(
            EncryptionKey::from_slice(&[0; 31]).unwrap_err(),
            EncryptionKeyError::Length(31)
        );
        let message = EncryptionKey::parse("hunter2hunter2!")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert_eq!(
            format!("{:?}", EncryptionKey::from_bytes([0x41; 32])),
            "EncryptionKey(***)"
        );
    }
}

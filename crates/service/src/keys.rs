//! Keys: the data key (AEAD for identifying fields) and the audit key (MACs of
//! the audit chain). They live in a key file or in environment variables, never
//! in the database.
//!
//! Ciphertext layout: `b"V1"` ‖ key id (8 bytes) ‖ nonce (24) ‖ XChaCha20-Poly1305
//! ciphertext, with the case id as associated data (a ciphertext moved to another
//! row does not decrypt).

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Errors of key handling; never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write key file {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("key file {path} is malformed: {reason}")]
    Malformed { path: String, reason: String },
    #[error("{0} must be 64 hexadecimal characters (32 bytes)")]
    BadHex(&'static str),
    #[error("ciphertext was made with a key that is not in the key file (key id {0})")]
    UnknownKey(String),
    #[error("ciphertext does not decrypt: wrong key, or altered data")]
    Decrypt,
    #[error("ciphertext is malformed")]
    Format,
}

const KEY_LEN: usize = 32;

/// One 32-byte data key with its id.
#[derive(Clone)]
pub struct DataKey {
    id: [u8; 8],
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", hex::encode(self.id))
    }
}

impl DataKey {
    fn new(key: [u8; KEY_LEN]) -> Self {
        let mut h = Sha256::new();
        h.update(b"vigia-key-id-v1");
        h.update(key);
        let d = h.finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&d[..8]);
        Self { id, key: Zeroizing::new(key) }
    }
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }
}

/// HMAC-SHA256 (RFC 2104) with a key of at most one block.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let mut block = Zeroizing::new([0u8; 64]);
    block[..key.len().min(64)].copy_from_slice(&key[..key.len().min(64)]);
    let pad = |b: u8| -> Zeroizing<[u8; 64]> { Zeroizing::new(std::array::from_fn(|i| block[i] ^ b)) };
    let mut inner = Sha256::new();
    inner.update(&pad(0x36)[..]);
    inner.update(msg);
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(&pad(0x5c)[..]);
    outer.update(ih);
    Zeroizing::new(outer.finalize().into())
}

/// The keys in force.
#[derive(Clone, Debug)]
pub struct Keys {
    current: DataKey,
    retired: Vec<DataKey>,
    audit: Zeroizing<[u8; KEY_LEN]>,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    data_key: String,
    audit_key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired_data_keys: Vec<String>,
}

fn parse_hex(s: &str, what: &'static str) -> Result<[u8; KEY_LEN], KeyError> {
    let v = hex::decode(s.trim()).map_err(|_| KeyError::BadHex(what))?;
    v.try_into().map_err(|_| KeyError::BadHex(what))
}

fn random_key() -> [u8; KEY_LEN] {
    let mut k = [0u8; KEY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

impl Keys {
    /// Fresh random keys.
    pub fn generate() -> Self {
        Self { current: DataKey::new(random_key()), retired: Vec::new(), audit: Zeroizing::new(random_key()) }
    }

    /// Keys from `VIGIA_DATA_KEY` and `VIGIA_AUDIT_KEY` (hex), if both are set.
    pub fn from_env() -> Result<Option<Self>, KeyError> {
        match (std::env::var("VIGIA_DATA_KEY"), std::env::var("VIGIA_AUDIT_KEY")) {
            (Ok(d), Ok(a)) => Ok(Some(Self {
                current: DataKey::new(parse_hex(&d, "VIGIA_DATA_KEY")?),
                retired: Vec::new(),
                audit: Zeroizing::new(parse_hex(&a, "VIGIA_AUDIT_KEY")?),
            })),
            _ => Ok(None),
        }
    }

    /// Read a key file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let p = path.display().to_string();
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| KeyError::Read { path: p.clone(), source })?);
        let f: KeyFile = toml::from_str(&text).map_err(|e| KeyError::Malformed { path: p.clone(), reason: e.message().to_string() })?;
        let retired = f.retired_data_keys.iter().map(|k| parse_hex(k, "retired_data_keys").map(DataKey::new)).collect::<Result<_, _>>()?;
        Ok(Self { current: DataKey::new(parse_hex(&f.data_key, "data_key")?), retired, audit: Zeroizing::new(parse_hex(&f.audit_key, "audit_key")?) })
    }

    /// Write the key file atomically with mode 0600 (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let p = path.display().to_string();
        let f = KeyFile {
            data_key: hex::encode(*self.current.key),
            audit_key: hex::encode(*self.audit),
            retired_data_keys: self.retired.iter().map(|k| hex::encode(*k.key)).collect(),
        };
        let body = Zeroizing::new(format!(
            "# Vigia key file. Keep it secret and off the database server's backups.\n\
             # data_key encrypts identifying fields; audit_key seals the audit chain.\n\
             # Losing it makes identities unreadable and the audit chain unverifiable.\n{}",
            toml::to_string(&f).map_err(|e| KeyError::Malformed { path: p.clone(), reason: e.to_string() })?
        ));
        let tmp = path.with_extension("key.tmp");
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut file = opts.open(&tmp)?;
            file.write_all(body.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            Ok(())
        };
        write().map_err(|source| KeyError::Write { path: p, source })
    }

    /// Load the key file, or create it with fresh keys when `create` is set and it is absent.
    pub fn load_or_create(path: &Path, create: bool) -> Result<(Self, bool), KeyError> {
        if let Some(k) = Self::from_env()? {
            return Ok((k, false));
        }
        if !path.exists() && create {
            let k = Self::generate();
            k.save(path)?;
            return Ok((k, true));
        }
        Ok((Self::load(path)?, false))
    }

    /// A new current data key; the old one is kept as retired until nothing uses it.
    pub fn rotated(&self) -> Self {
        let mut retired = vec![self.current.clone()];
        retired.extend(self.retired.iter().cloned());
        Self { current: DataKey::new(random_key()), retired, audit: self.audit.clone() }
    }

    /// The same keys without retired data keys.
    pub fn without_retired(&self) -> Self {
        Self { current: self.current.clone(), retired: Vec::new(), audit: self.audit.clone() }
    }

    pub fn audit_key(&self) -> &[u8] {
        &self.audit[..]
    }

    /// The secret of national privacy-preserving linkage: HMAC-SHA256 of the
    /// current data key with a fixed label. It never leaves the service; a key
    /// rotation changes it (encodings are computed per linkage run, never stored).
    pub fn linkage_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        hmac_sha256(&self.current.key[..], b"vigia national linkage key v1")
    }

    pub fn current_key_id(&self) -> String {
        self.current.id_hex()
    }

    /// Encrypt `plain` bound to `context` (the case id).
    pub fn encrypt(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(self.current.key.as_ref().into());
        let mut nonce = [0u8; 24];
        // A random 192-bit nonce from the thread's CSPRNG (seeded and periodically
        // reseeded from the OS): no system call per encryption.
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        let ct = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: context }).unwrap_or_default();
        let mut out = Vec::with_capacity(2 + 8 + 24 + ct.len());
        out.extend_from_slice(b"V1");
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// The id of the key a ciphertext was made with.
    pub fn key_id_of(ct: &[u8]) -> Option<String> {
        (ct.len() >= 10 && &ct[..2] == b"V1").then(|| hex::encode(&ct[2..10]))
    }

    /// Decrypt a ciphertext made by [`Keys::encrypt`] with any known data key.
    pub fn decrypt(&self, ct: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if ct.len() < 2 + 8 + 24 + 16 || &ct[..2] != b"V1" {
            return Err(KeyError::Format);
        }
        let id = &ct[2..10];
        let key = std::iter::once(&self.current)
            .chain(self.retired.iter())
            .find(|k| k.id == id)
            .ok_or_else(|| KeyError::UnknownKey(hex::encode(id)))?;
        let cipher = XChaCha20Poly1305::new(key.key.as_ref().into());
        cipher
            .decrypt(XNonce::from_slice(&ct[10..34]), Payload { msg: &ct[34..], aad: context })
            .map(Zeroizing::new)
            .map_err(|_| KeyError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_context_binding() {
        let k = Keys::generate();
        let ct = k.encrypt(b"Zqxwvkatrin", b"case-1");
        assert!(!ct.windows(11).any(|w| w == b"Zqxwvkatrin"));
        assert_eq!(&k.decrypt(&ct, b"case-1").unwrap()[..], b"Zqxwvkatrin");
        assert!(k.decrypt(&ct, b"case-2").is_err());
        assert!(Keys::generate().decrypt(&ct, b"case-1").is_err());
    }

    #[test]
    fn linkage_key_is_hmac_of_the_data_key() {
        // RFC 4231 test case 2 checks the HMAC construction.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(*mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let k = Keys::generate();
        assert_eq!(*k.linkage_key(), *k.linkage_key());
        assert_ne!(*k.linkage_key(), *k.rotated().linkage_key());
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let k = Keys::generate();
        let ct = k.encrypt(b"x", b"c");
        let r = k.rotated();
        assert_eq!(&r.decrypt(&ct, b"c").unwrap()[..], b"x");
        assert!(r.without_retired().decrypt(&ct, b"c").is_err());
    }

    #[test]
    fn file_round_trip_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vigia.key");
        let (k, created) = Keys::load_or_create(&p, true).unwrap();
        assert!(created);
        let again = Keys::load(&p).unwrap();
        let ct = k.encrypt(b"x", b"c");
        assert_eq!(&again.decrypt(&ct, b"c").unwrap()[..], b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}

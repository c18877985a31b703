//! The release's storage encoding, Helm's `encodeRelease`/`decodeRelease`: JSON, gzipped, then
//! base64 (standard alphabet, padded). Decoding also accepts un-gzipped JSON, as Helm does.

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::{Release, ReleaseError};

/// The gzip magic Helm checks for before gunzipping.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Decompressed size beyond which a release is refused (a storage object holds at most 1 MiB,
/// so this only stops compression bombs).
const MAX_JSON_BYTES: u64 = 256 << 20;

/// The release as stored in a Secret's or ConfigMap's `data.release`: base64(gzip(JSON)).
pub fn encode(release: &Release) -> String {
    // Serialising our own types to JSON cannot fail: every map key is a string.
    let json = serde_json::to_vec(release).unwrap_or_default();
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(&json);
    let compressed = gz.finish().unwrap_or_default();
    STANDARD.encode(compressed)
}

/// Reads `data.release` back; `object` names the storage object in errors.
pub fn decode(data: &str, object: &str) -> Result<Release, ReleaseError> {
    let bytes = STANDARD
        .decode(data.trim())
        .map_err(|e| ReleaseError::new(object, format!("release data is not base64: {e}")))?;
    let json = if bytes.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .take(MAX_JSON_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                ReleaseError::new(object, format!("release data is not valid gzip: {e}"))
            })?;
        if out.len() as u64 > MAX_JSON_BYTES {
            return Err(ReleaseError::new(
                object,
                format!("release data expands beyond {MAX_JSON_BYTES} bytes"),
            ));
        }
        out
    } else {
        bytes
    };
    decode_json(&json, object)
}

/// Parses the release JSON itself (already un-base64'd and gunzipped).
pub fn decode_json(json: &[u8], object: &str) -> Result<Release, ReleaseError> {
    serde_json::from_slice(json).map_err(|e| {
        ReleaseError::new(
            object,
            format!(
                "release JSON is invalid at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

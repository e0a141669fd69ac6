//! Native-messaging framing: a 32-bit length in native byte order, then that many bytes
//! of UTF-8 JSON (the format Chromium and Firefox both use on the host's stdio).
//!
//! Reading is bounded: a frame longer than the cap is skipped in small chunks (so the
//! stream stays in step) and reported, never buffered.

use std::io::{self, Read, Write};

/// What reading one frame can yield besides a message.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The length header announced more than the cap; the body was skipped.
    #[error("a {len}-byte message is over the {cap}-byte limit")]
    TooLarge { len: usize, cap: usize },
    /// The input ended inside a frame.
    #[error("the input ended inside a frame ({got} of {expected} bytes)")]
    Truncated { got: usize, expected: usize },
    #[error("reading a frame failed: {0}")]
    Io(#[from] io::Error),
}

/// Read one frame. `Ok(None)` is a clean end of input between frames.
pub fn read_frame(input: &mut impl Read, cap: usize) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0u8; 4];
    let got = read_full(input, &mut header)?;
    if got == 0 {
        return Ok(None);
    }
    if got < header.len() {
        return Err(FrameError::Truncated {
            got,
            expected: header.len(),
        });
    }
    let len = u32::from_ne_bytes(header) as usize;
    if len > cap {
        let skipped = io::copy(&mut input.take(len as u64), &mut io::sink())?;
        if (skipped as usize) < len {
            return Err(FrameError::Truncated {
                got: skipped as usize,
                expected: len,
            });
        }
        return Err(FrameError::TooLarge { len, cap });
    }
    let mut body = vec![0u8; len];
    let got = read_full(input, &mut body)?;
    if got < len {
        return Err(FrameError::Truncated { got, expected: len });
    }
    Ok(Some(body))
}

/// Write one frame and flush it.
pub fn write_frame(output: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let len = u32::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame longer than 4 GiB"))?;
    output.write_all(&len.to_ne_bytes())?;
    output.write_all(body)?;
    output.flush()
}

/// Fill `buf` as far as the input allows; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_frame(&mut out, body).unwrap();
        out
    }

    #[test]
    fn round_trip_and_clean_end() {
        let mut input = Cursor::new([frame(b"{}"), frame(b"[1]")].concat());
        assert_eq!(read_frame(&mut input, 100).unwrap().unwrap(), b"{}");
        assert_eq!(read_frame(&mut input, 100).unwrap().unwrap(), b"[1]");
        assert!(read_frame(&mut input, 100).unwrap().is_none());
    }

    #[test]
    fn empty_frame_is_a_message_of_no_bytes() {
        let mut input = Cursor::new(frame(b""));
        assert_eq!(read_frame(&mut input, 100).unwrap().unwrap(), b"");
    }

    #[test]
    fn truncated_length() {
        let mut input = Cursor::new(vec![5u8, 0]);
        let err = read_frame(&mut input, 100).unwrap_err();
        assert!(
            matches!(
                err,
                FrameError::Truncated {
                    got: 2,
                    expected: 4
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn truncated_body() {
        let mut bytes = frame(b"{\"id\":1}");
        bytes.truncate(7);
        let err = read_frame(&mut Cursor::new(bytes), 100).unwrap_err();
        assert!(
            matches!(
                err,
                FrameError::Truncated {
                    got: 3,
                    expected: 8
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn over_the_cap_is_skipped_and_the_next_frame_still_reads() {
        let big = vec![b'x'; 1000];
        let mut input = Cursor::new([frame(&big), frame(b"{}")].concat());
        let err = read_frame(&mut input, 999).unwrap_err();
        assert!(
            matches!(
                err,
                FrameError::TooLarge {
                    len: 1000,
                    cap: 999
                }
            ),
            "{err}"
        );
        assert_eq!(read_frame(&mut input, 999).unwrap().unwrap(), b"{}");
    }

    #[test]
    fn over_the_cap_and_truncated() {
        let mut bytes = frame(&[b'x'; 1000]);
        bytes.truncate(500);
        let err = read_frame(&mut Cursor::new(bytes), 10).unwrap_err();
        assert!(
            matches!(
                err,
                FrameError::Truncated {
                    got: 496,
                    expected: 1000
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_huge_announced_length_does_not_allocate() {
        // 4 GiB - 1 announced, 3 bytes present: must fail fast without a 4 GiB buffer.
        let mut bytes = u32::MAX.to_ne_bytes().to_vec();
        bytes.extend_from_slice(b"abc");
        let err = read_frame(&mut Cursor::new(bytes), 1024).unwrap_err();
        assert!(matches!(err, FrameError::Truncated { got: 3, .. }), "{err}");
    }
}

//! Raw DEFLATE decoding (RFC 1951), for the link reader.
//!
//! Links are written with miniz_oxide's compressor; they could be read with its
//! decompressor, but that is 6 KB of gzipped wasm in the browser's link reader, a third of
//! it, for speed a link does not need (at most 1 MB comes out). This decoder is the
//! textbook one: canonical Huffman codes decoded a bit at a time from per-length counts, as
//! in Mark Adler's `puff.c`. Any input gives a result or an error, never a panic, and
//! never more than `limit` bytes of output.

/// Why a stream cannot be inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// Not a valid DEFLATE stream, or cut short.
    Corrupted,
    /// It would inflate to more than the limit.
    TooBig,
}

/// Inflate a raw DEFLATE stream (no zlib or gzip header) of at most `limit` bytes.
pub fn inflate(input: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut bits = Bits {
        input,
        pos: 0,
        buffer: 0,
        count: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = bits.take(1)?;
        match bits.take(2)? {
            0 => stored_block(&mut bits, &mut out, limit)?,
            1 => {
                let (literals, distances) = fixed_codes()?;
                compressed_block(&mut bits, &mut out, limit, &literals, &distances)?;
            }
            2 => {
                let (literals, distances) = dynamic_codes(&mut bits)?;
                compressed_block(&mut bits, &mut out, limit, &literals, &distances)?;
            }
            _ => return Err(InflateError::Corrupted),
        }
        if last == 1 {
            return Ok(out);
        }
    }
}

/// The input, read least significant bit first.
struct Bits<'a> {
    input: &'a [u8],
    pos: usize,
    buffer: u32,
    count: u32,
}

impl Bits<'_> {
    /// The next `n` (at most 16) bits as a number.
    fn take(&mut self, n: u32) -> Result<u32, InflateError> {
        while self.count < n {
            let byte = *self.input.get(self.pos).ok_or(InflateError::Corrupted)?;
            self.pos += 1;
            self.buffer |= u32::from(byte) << self.count;
            self.count += 8;
        }
        let value = self.buffer & ((1 << n) - 1);
        self.buffer >>= n;
        self.count -= n;
        Ok(value)
    }
}

/// A block stored as is: skip to a byte boundary, then LEN, its complement, LEN bytes.
fn stored_block(bits: &mut Bits, out: &mut Vec<u8>, limit: usize) -> Result<(), InflateError> {
    bits.buffer = 0;
    bits.count = 0;
    let len = bits.take(16)?;
    if bits.take(16)? != !len & 0xFFFF {
        return Err(InflateError::Corrupted);
    }
    let end = bits.pos + len as usize;
    let bytes = bits
        .input
        .get(bits.pos..end)
        .ok_or(InflateError::Corrupted)?;
    if out.len() + bytes.len() > limit {
        return Err(InflateError::TooBig);
    }
    out.extend_from_slice(bytes);
    bits.pos = end;
    Ok(())
}

/// A canonical Huffman code: how many codes have each length, and the symbols in code
/// order.
struct Code {
    counts: [u16; 16],
    symbols: [u16; 288],
}

impl Code {
    /// The code with these lengths per symbol (0: the symbol is not used). An
    /// over-subscribed set of lengths is no code at all; an incomplete one is allowed
    /// (RFC 1951 permits one distance code), and its unused codes are errors when read.
    fn new(lengths: &[u8]) -> Result<Code, InflateError> {
        let mut code = Code {
            counts: [0; 16],
            symbols: [0; 288],
        };
        for &length in lengths {
            code.counts[usize::from(length)] += 1;
        }
        let mut left: i32 = 1;
        for &count in &code.counts[1..] {
            left = left * 2 - i32::from(count);
            if left < 0 {
                return Err(InflateError::Corrupted);
            }
        }
        // Where each length's symbols start in `symbols`.
        let mut offsets = [0u16; 16];
        for length in 1..15 {
            offsets[length + 1] = offsets[length] + code.counts[length];
        }
        for (symbol, &length) in lengths.iter().enumerate() {
            if length != 0 {
                let slot = &mut offsets[usize::from(length)];
                code.symbols[usize::from(*slot)] = symbol as u16;
                *slot += 1;
            }
        }
        Ok(code)
    }

    /// Read one symbol: the codes of each length are consecutive numbers, so a code is
    /// found by counting, one bit (one length) at a time.
    fn decode(&self, bits: &mut Bits) -> Result<u16, InflateError> {
        let mut code = 0; // the bits read so far
        let mut first = 0; // the first code of this length
        let mut index = 0; // where this length's symbols start
        for &count in &self.counts[1..] {
            code |= bits.take(1)? as i32;
            let count = i32::from(count);
            if code - first < count {
                return Ok(self.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(InflateError::Corrupted)
    }
}

/// RFC 1951 §3.2.6 (valid lengths: this never fails).
fn fixed_codes() -> Result<(Code, Code), InflateError> {
    let mut lengths = [8u8; 288];
    lengths[144..256].fill(9);
    lengths[256..280].fill(7);
    Ok((Code::new(&lengths)?, Code::new(&[5; 30])?))
}

/// RFC 1951 §3.2.7: the code lengths, themselves Huffman-coded, then the two codes.
fn dynamic_codes(bits: &mut Bits) -> Result<(Code, Code), InflateError> {
    const ORDER: [u8; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];
    let n_literals = bits.take(5)? as usize + 257;
    let n_distances = bits.take(5)? as usize + 1;
    let n_length_codes = bits.take(4)? as usize + 4;
    if n_literals > 286 || n_distances > 30 {
        return Err(InflateError::Corrupted);
    }
    let mut length_lengths = [0u8; 19];
    for &symbol in &ORDER[..n_length_codes] {
        length_lengths[usize::from(symbol)] = bits.take(3)? as u8;
    }
    let length_code = Code::new(&length_lengths)?;
    let mut lengths = [0u8; 286 + 30];
    let n = n_literals + n_distances;
    let mut i = 0;
    while i < n {
        let symbol = length_code.decode(bits)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => {
                let previous = *i
                    .checked_sub(1)
                    .and_then(|p| lengths.get(p))
                    .ok_or(InflateError::Corrupted)?;
                (previous, 3 + bits.take(2)?)
            }
            17 => (0, 3 + bits.take(3)?),
            _ => (0, 11 + bits.take(7)?),
        };
        let end = i + repeat as usize;
        lengths
            .get_mut(i..end)
            .filter(|_| end <= n)
            .ok_or(InflateError::Corrupted)?
            .fill(value);
        i = end;
    }
    // A block without an end-of-block code could never end.
    if lengths[256] == 0 {
        return Err(InflateError::Corrupted);
    }
    let literals = Code::new(&lengths[..n_literals])?;
    let distances = Code::new(&lengths[n_literals..n])?;
    Ok((literals, distances))
}

/// Length symbols 257..=285: the base length and its extra bits (RFC 1951 §3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance symbols 0..=29.
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Literals and back-references until the end-of-block symbol.
fn compressed_block(
    bits: &mut Bits,
    out: &mut Vec<u8>,
    limit: usize,
    literals: &Code,
    distances: &Code,
) -> Result<(), InflateError> {
    loop {
        let symbol = usize::from(literals.decode(bits)?);
        if symbol == 256 {
            return Ok(());
        }
        if out.len() == limit {
            return Err(InflateError::TooBig);
        }
        if symbol < 256 {
            out.push(symbol as u8);
            continue;
        }
        let index = symbol - 257;
        let (Some(&base), Some(&extra)) = (LENGTH_BASE.get(index), LENGTH_EXTRA.get(index)) else {
            return Err(InflateError::Corrupted);
        };
        let length = usize::from(base) + bits.take(u32::from(extra))? as usize;
        let index = usize::from(distances.decode(bits)?);
        let (Some(&base), Some(&extra)) = (DISTANCE_BASE.get(index), DISTANCE_EXTRA.get(index))
        else {
            return Err(InflateError::Corrupted);
        };
        let distance = usize::from(base) + bits.take(u32::from(extra))? as usize;
        if distance > out.len() {
            return Err(InflateError::Corrupted);
        }
        if out.len() + length > limit {
            return Err(InflateError::TooBig);
        }
        // Byte by byte: the copy may overlap what it writes (a run of one repeated byte).
        let start = out.len() - distance;
        for i in start..start + length {
            out.push(out[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec;

    /// The block type of a stream's first block: 0 stored, 1 fixed codes, 2 dynamic codes.
    fn first_block_type(stream: &[u8]) -> u8 {
        stream[0] >> 1 & 3
    }

    /// miniz's compressor at `level`, and our decoder gives back `data`.
    fn check(data: &[u8], level: u8) -> u8 {
        let stream = compress_to_vec(data, level);
        assert_eq!(
            inflate(&stream, data.len()).as_deref(),
            Ok(data),
            "{} bytes at level {level}",
            data.len()
        );
        first_block_type(&stream)
    }

    fn sample_texts() -> Vec<Vec<u8>> {
        let json = br#"{"scenario":{"version":1,"lab":"demo","seed":7,"n_nodes":5,"faults":[{"at_us":1000000,"action":{"crash":{"node":2}}}]},"cursor_us":2000000}"#;
        let mut pseudo_random = Vec::new();
        let mut x = 0x9E37_79B9_u32;
        for _ in 0..70_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            pseudo_random.push(x as u8);
        }
        // Repeats farther apart than the 32 KB window can reach, and right next to it.
        let mut far = pseudo_random[..40_000].to_vec();
        far.extend_from_slice(&pseudo_random[..40_000]);
        vec![
            Vec::new(),
            b"a".to_vec(),
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            json.to_vec(),
            json.repeat(300),
            pseudo_random,
            far,
            vec![0; 300_000],
        ]
    }

    #[test]
    fn inflates_what_miniz_deflates_at_every_level() {
        let mut block_types = [false; 3];
        for data in sample_texts() {
            for level in 0..=10 {
                block_types[usize::from(check(&data, level))] = true;
            }
        }
        assert_eq!(block_types, [true; 3], "stored, fixed and dynamic blocks");
    }

    #[test]
    fn the_limit_is_exact_and_bombs_are_refused() {
        let data = b"0123456789".repeat(100);
        let stream = compress_to_vec(&data, 9);
        assert_eq!(inflate(&stream, 1000).map(|v| v.len()), Ok(1000));
        assert_eq!(inflate(&stream, 999), Err(InflateError::TooBig));
        let stored = compress_to_vec(&data, 0);
        assert_eq!(inflate(&stored, 999), Err(InflateError::TooBig));
        let bomb = compress_to_vec(&vec![b' '; 16 << 20], 10);
        assert_eq!(inflate(&bomb, 1 << 20), Err(InflateError::TooBig));
    }

    #[test]
    fn broken_streams_are_errors() {
        let stream = compress_to_vec(&b"hello, hello, hello".repeat(20), 9);
        for cut in 0..stream.len() {
            assert_eq!(
                inflate(&stream[..cut], 1 << 20),
                Err(InflateError::Corrupted),
                "cut at {cut}"
            );
        }
        // Block type 3 does not exist.
        assert_eq!(inflate(&[0b111], 100), Err(InflateError::Corrupted));
        // A stored block whose length and its complement disagree.
        assert_eq!(
            inflate(&[1, 5, 0, 0, 0, b'x'], 100),
            Err(InflateError::Corrupted)
        );
        // A fixed-code back-reference before anything was written.
        assert_eq!(inflate(&[0x03, 0x02], 100), Err(InflateError::Corrupted));
    }

    // Property tests run natively only (proptest is not built for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use miniz_oxide::inflate::decompress_to_vec;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

            #[test]
            fn random_data_round_trips(data in proptest::collection::vec(0..4u8, 0..3_000), level in 0..=10u8) {
                // Few distinct bytes: long matches and dynamic codes.
                check(&data, level);
            }

            /// Garbage never panics; a damaged stream that miniz still reads, we read the same.
            #[test]
            fn damaged_streams_never_panic(
                garbage in proptest::collection::vec(any::<u8>(), 0..200),
                position in any::<usize>(),
                byte in any::<u8>(),
            ) {
                let _ = inflate(&garbage, 1 << 16);
                let mut stream = compress_to_vec(&b"{\"lab\":\"demo\",\"seed\":12345}".repeat(8), 9);
                let i = position % stream.len();
                stream[i] = byte;
                if let Ok(theirs) = decompress_to_vec(&stream) {
                    prop_assert_eq!(inflate(&stream, 1 << 20), Ok(theirs));
                }
            }
        }
    }
}

//! What the build script (`build.rs`, which compiles `catalog/iam-catalog.txt` into static
//! tables) and the catalog at run time must compute alike: the hash of a lower-case name and
//! the encoding of an ARN template. One file, included by both.

/// FNV-1a over the bytes of a name, lower-cased (ASCII) as they are read.
pub fn hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The first slot a name (in any case) is looked for in a table of `len` slots (a power of
/// two).
pub fn home(name: &[u8], len: usize) -> usize {
    (hash(name) as usize) & (len.wrapping_sub(1))
}

/// One item of an encoded ARN template: a byte below 0x80 is itself; a variable (`${Name}`)
/// is two items, `ONE` (its first character) then `MANY` (any number more), each with the
/// `SLASH` and `COLON` bits saying whether its characters may be `/` and `:`.
pub const ONE: u8 = 0x80;
pub const MANY: u8 = 0xc0;
pub const SLASH: u8 = 0x01;
pub const COLON: u8 = 0x02;

/// Encode an ARN template. A `${Var}` matches one or more characters other than `:` (unless it
/// ends the template) and `/` (unless the resource part of the template has a `/`, or it ends
/// the template and is not an S3 bucket name).
pub fn encode_arn(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    // the resource part starts after the fifth colon
    let mut colons = 0;
    let mut resource_start = b.len();
    for (i, &c) in b.iter().enumerate() {
        if c == b':' {
            colons += 1;
            if colons == 5 {
                resource_start = i + 1;
                break;
            }
        }
    }
    let resource_has_slash = text[resource_start.min(text.len())..].contains('/');
    let mut items = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
            if let Some(end) = text[i..].find('}') {
                let last = i + end + 1 == b.len();
                let in_resource = i >= resource_start;
                // names such as log groups may hold `/`; S3 bucket names never do
                let var = &text[i + 2..i + end];
                let slash = in_resource && (resource_has_slash || (last && var != "BucketName"));
                let colon = in_resource && last;
                let bits = if slash { SLASH } else { 0 } | if colon { COLON } else { 0 };
                items.push(ONE | bits);
                items.push(MANY | bits);
                i += end + 1;
                continue;
            }
        }
        // the catalog's templates are ASCII (the build script checks); another byte would
        // read as a variable, so it becomes NUL, which no character of a pattern matches
        items.push(if b[i] < 0x80 { b[i] } else { 0 });
        i += 1;
    }
    items
}

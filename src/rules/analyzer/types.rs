//! What condition keys hold and what condition operators compare: the types the checks of
//! condition values and operators read.
//!
//! A service key's type is the catalog's (the Service Authorization Reference's `String`,
//! `ArrayOfString`, `ARN`, `Bool`, `Date`, `Numeric`, `IPAddress`). The global keys are not in
//! the catalog with types; theirs are from AWS's "AWS global condition context keys" page
//! (each key's "Data type" and "Value type": single- or multivalued).

use crate::catalog;

/// A condition value's type, as keys are typed and operators compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    String,
    Arn,
    Bool,
    Date,
    Numeric,
    Ip,
    Binary,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::String => "String",
            Ty::Arn => "ARN",
            Ty::Bool => "Boolean",
            Ty::Date => "Date",
            Ty::Numeric => "Numeric",
            Ty::Ip => "IP address",
            Ty::Binary => "Binary",
        }
    }
    /// An operator of this family, for help texts.
    pub fn example_operator(self) -> &'static str {
        match self {
            Ty::String => "StringEquals",
            Ty::Arn => "ArnLike",
            Ty::Bool => "Bool",
            Ty::Date => "DateGreaterThan",
            Ty::Numeric => "NumericLessThan",
            Ty::Ip => "IpAddress",
            Ty::Binary => "BinaryEquals",
        }
    }
}

/// A key's type and whether a request may carry several values of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyType {
    pub ty: Ty,
    pub multivalued: bool,
}

/// The global keys whose type is not `String` single-valued (AWS's global condition keys
/// page). A trailing `/` is a key with a name after it.
const GLOBAL: &[(&str, Ty, bool)] = &[
    ("aws:AssumedRoot", Ty::Bool, false),
    ("aws:CalledVia", Ty::String, true),
    ("aws:ChatbotSourceArn", Ty::Arn, false),
    ("aws:CurrentTime", Ty::Date, false),
    ("aws:Ec2InstanceSourcePrivateIPv4", Ty::Ip, false),
    ("aws:EpochTime", Ty::Date, false),
    ("aws:IsMcpServiceAction", Ty::Bool, false),
    ("aws:MultiFactorAuthAge", Ty::Numeric, false),
    ("aws:MultiFactorAuthPresent", Ty::Bool, false),
    ("aws:PrincipalArn", Ty::Arn, false),
    ("aws:PrincipalIsAWSService", Ty::Bool, false),
    ("aws:PrincipalOrgPaths", Ty::String, true),
    ("aws:PrincipalServiceNamesList", Ty::String, true),
    ("aws:ResourceOrgPaths", Ty::String, true),
    ("aws:SecureTransport", Ty::Bool, false),
    ("aws:SourceArn", Ty::Arn, false),
    ("aws:SourceIp", Ty::Ip, false),
    ("aws:SourceOrgPaths", Ty::String, true),
    ("aws:SourceVpcArn", Ty::Arn, false),
    ("aws:TagKeys", Ty::String, true),
    ("aws:TokenIssueTime", Ty::Date, false),
    ("aws:ViaAWSService", Ty::Bool, false),
    ("aws:VpceOrgPaths", Ty::String, true),
    ("aws:VpcSourceIp", Ty::Ip, false),
];

/// The type of a condition key, when the catalog or AWS's global keys page gives it;
/// remembered per thread (policies repeat their keys), up to a bound.
pub fn key_type(key: &str) -> Option<KeyType> {
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, Option<KeyType>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = MEMO.with(|m| m.borrow().get(key).copied()) {
        return known;
    }
    let found = lookup(key);
    if key.len() > 256 {
        return found;
    }
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(key.to_string(), found);
    });
    found
}

fn lookup(key: &str) -> Option<KeyType> {
    let (prefix, _) = key.split_once(':')?;
    if prefix.eq_ignore_ascii_case("aws") {
        if let Some((_, ty, multi)) = GLOBAL.iter().find(|(k, ..)| k.eq_ignore_ascii_case(key)) {
            return Some(KeyType {
                ty: *ty,
                multivalued: *multi,
            });
        }
        // every other global key the catalog knows is a single-valued string
        return crate::rules::catalog::known_condition_key(key)
            .filter(|known| *known)
            .map(|_| KeyType {
                ty: Ty::String,
                multivalued: false,
            });
    }
    let service = catalog::service(prefix)?;
    let lower = key.to_ascii_lowercase();
    let keys = service.condition_keys();
    let found = keys.iter().find(|k| k.lower() == lower).or_else(|| {
        // a key with a name part: `s3:ExistingObjectTag/${TagKey}`, `ec2:ResourceTag/<key>`
        keys.iter().find(|k| {
            let fixed = fixed_part(k.lower());
            fixed.len() < k.lower().len() && lower.len() > fixed.len() && lower.starts_with(fixed)
        })
    })?;
    parse(found.ty())
}

/// The part of a catalog key before its name variable (`${TagKey}`, `<key>`).
pub fn fixed_part(lower: &str) -> &str {
    let end = lower.find(['$', '<']).unwrap_or(lower.len());
    &lower[..end]
}

/// Whether the catalog key `listed` (as an action or resource type lists it) covers the key a
/// policy uses (`used`, lower case).
pub fn covers(listed: &str, used_lower: &str) -> bool {
    let l = listed.to_ascii_lowercase();
    if l == used_lower {
        return true;
    }
    let fixed = fixed_part(&l);
    fixed.len() < l.len() && used_lower.len() > fixed.len() && used_lower.starts_with(fixed)
}

fn parse(ty: &str) -> Option<KeyType> {
    let (multivalued, base) = match ty.strip_prefix("ArrayOf") {
        Some(b) => (true, b),
        None => (false, ty),
    };
    let ty = match base {
        "String" => Ty::String,
        "ARN" => Ty::Arn,
        "Bool" => Ty::Bool,
        "Date" => Ty::Date,
        "Numeric" => Ty::Numeric,
        "IPAddress" => Ty::Ip,
        "Binary" => Ty::Binary,
        _ => return None,
    };
    Some(KeyType { ty, multivalued })
}

pub use crate::model::policy::{operator, Operator};

/// What an operator compares (`None` for `Null` and for names that are not operators).
pub fn compares(base: &str) -> Option<Ty> {
    Some(match base {
        "StringEquals"
        | "StringNotEquals"
        | "StringEqualsIgnoreCase"
        | "StringNotEqualsIgnoreCase"
        | "StringLike"
        | "StringNotLike" => Ty::String,
        "NumericEquals"
        | "NumericNotEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals" => Ty::Numeric,
        "DateEquals"
        | "DateNotEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals" => Ty::Date,
        "Bool" => Ty::Bool,
        "BinaryEquals" => Ty::Binary,
        "IpAddress" | "NotIpAddress" => Ty::Ip,
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => Ty::Arn,
        _ => return None,
    })
}

/// Whether an operator comparing `op` values may test a key of type `key`: string and ARN
/// operators take each other's keys (Access Analyzer reports `StringLike` on an ARN key on its
/// own, and accepts ARN operators on string keys), `aws:EpochTime` the numeric ones too.
pub fn fits(op: Ty, key: Ty, key_name: &str) -> bool {
    op == key
        || (key == Ty::Arn && op == Ty::String)
        || (key == Ty::String && op == Ty::Arn)
        || (key_name.eq_ignore_ascii_case("aws:EpochTime") && op == Ty::Numeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_and_catalog_types() {
        assert_eq!(key_type("aws:SourceArn").map(|k| k.ty), Some(Ty::Arn));
        assert_eq!(key_type("aws:sourceip").map(|k| k.ty), Some(Ty::Ip));
        assert_eq!(key_type("aws:TagKeys").map(|k| k.multivalued), Some(true));
        assert_eq!(
            key_type("aws:SourceAccount").map(|k| k.ty),
            Some(Ty::String)
        );
        assert_eq!(key_type("aws:NoSuchKey"), None);
        assert_eq!(key_type("s3:max-keys").map(|k| k.ty), Some(Ty::Numeric));
        assert_eq!(
            key_type("ec2:ResourceTag/Team").map(|k| k.ty),
            Some(Ty::String)
        );
        assert_eq!(key_type("acm-pca:TemplateArn").map(|k| k.ty), Some(Ty::Arn));
    }

    #[test]
    fn operators_split() {
        let o = operator("ForAllValues:StringLikeIfExists");
        assert_eq!(
            (o.qualifier, o.base, o.if_exists),
            (Some("ForAllValues"), "StringLike", true)
        );
        assert_eq!(compares("ArnLike"), Some(Ty::Arn));
        assert_eq!(compares("Null"), None);
        assert!(fits(Ty::String, Ty::Arn, "aws:SourceArn"));
        assert!(!fits(Ty::String, Ty::Bool, "aws:SecureTransport"));
        assert!(fits(
            Ty::Arn,
            Ty::String,
            "kms:EncryptionContext:aws:s3:arn"
        ));
        assert!(fits(Ty::Numeric, Ty::Date, "aws:EpochTime"));
    }
}

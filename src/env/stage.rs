//! Where a name stands in a promotion chain.

/// Where an environment name stands in a promotion chain: dev, then test/qa,
/// then staging, then production; 4 for names that say nothing. A name of
/// several words (`prod-eu`, `eu_staging`) takes the rank of its first word
/// that has one.
pub fn stage_rank(name: &str) -> u8 {
    name.split(['-', '_', '.'])
        .find_map(|word| match word.to_ascii_lowercase().as_str() {
            "dev" | "develop" | "development" | "local" | "sandbox" => Some(0),
            "test" | "testing" | "qa" | "int" | "integration" | "uat" => Some(1),
            "staging" | "stage" | "stg" | "preprod" | "pre" => Some(2),
            "prod" | "production" | "prd" | "live" => Some(3),
            _ => None,
        })
        .unwrap_or(4)
}

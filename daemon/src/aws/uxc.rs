//! The console's own account color: the User Experience Customization API
//! (`GetAccountCustomizations`, `UpdateAccountCustomizations`). It acts on the account of
//! the credentials it is called with, so setting another account's color goes through a
//! role in that account (the caller assumes it first).

use aws_sdk_uxc::types::AccountColor;
use switchyard_shared::protocol::ErrorBody;
use switchyard_shared::team::ConsoleColor;

use super::SdkConfig;

fn sdk_color(color: ConsoleColor) -> AccountColor {
    AccountColor::from(color.as_str())
}

/// UpdateAccountCustomizations: set the account's console color (only `accountColor`;
/// visible services and Regions stay as they are).
pub async fn set_account_color(config: &SdkConfig, color: ConsoleColor) -> Result<(), ErrorBody> {
    aws_sdk_uxc::Client::new(config)
        .update_account_customizations()
        .account_color(sdk_color(color))
        .send()
        .await
        .map_err(|e| super::classify("uxc:UpdateAccountCustomizations", e))?;
    Ok(())
}

/// GetAccountCustomizations: the account's console color (`None` when it has none).
pub async fn account_color(config: &SdkConfig) -> Result<Option<ConsoleColor>, ErrorBody> {
    let out = aws_sdk_uxc::Client::new(config)
        .get_account_customizations()
        .send()
        .await
        .map_err(|e| super::classify("uxc:GetAccountCustomizations", e))?;
    Ok(out
        .account_color
        .as_ref()
        .and_then(|c| ConsoleColor::parse(c.as_str())))
}

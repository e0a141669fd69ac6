//! The popup's "Edit name and color for the team" form, without the DOM: an admin opens it
//! from an account row, types the name and color every colleague should see, and the
//! daemon writes them as the account's tags in the organization (`accounts.set`; the
//! console's own color too when ticked). Each field is checked as typed with
//! `switchyard_shared::team`'s own rules (the daemon's), so nothing bad is sent; the
//! daemon's refusal (a missing permission names the action) is shown in the form.

use super::sentence;
use switchyard_shared::protocol::aws::{Account, AccountsSetData, AccountsSetParams};
use switchyard_shared::protocol::roles::LookOrigin;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::team::{self, ConsoleColor};

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LookField {
    Name,
    Color,
}

/// Where the form stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Editing,
    /// `accounts.set` was sent; its answer has not come.
    Saving,
    /// Written: the daemon's notes (e.g. the console's nearest palette color).
    Saved {
        notes: Vec<String>,
    },
    /// The daemon refused or failed.
    Failed(ErrorBody),
}

/// The form for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamLookForm {
    pub account_id: String,
    /// The name the popup shows for the account now (for the heading).
    pub shown_name: String,
    /// As typed: an empty name removes the team's name (the organization's shows again).
    pub name: String,
    /// As typed (`RRGGBB`, `#` optional; empty removes the team's color).
    pub color: String,
    /// Also set the console's own account color (its nearest palette color).
    pub console_color: bool,
    pub stage: Stage,
}

impl TeamLookForm {
    /// The form for `account_id`, filled with what the team set for it: from the
    /// organization's account (its tags) when the popup has it, else the team's name and
    /// color the switch list gave (`listed`).
    pub fn open(
        account_id: &str,
        shown_name: &str,
        account: Option<&Account>,
        listed: (Option<&str>, Option<&str>),
    ) -> TeamLookForm {
        let look = account
            .and_then(|a| Some((a.tags.as_ref()?, a)))
            .map(|(tags, a)| {
                let console = a.console_color.as_deref().and_then(ConsoleColor::parse);
                team::look(tags, console)
            });
        let (name, color) = match look {
            Some(look) => (
                look.name.unwrap_or_default(),
                look.color
                    .filter(|(_, from)| *from == LookOrigin::Team)
                    .map(|(rgb, _)| rgb)
                    .unwrap_or_default(),
            ),
            None => (
                listed.0.unwrap_or_default().to_owned(),
                listed.1.unwrap_or_default().to_owned(),
            ),
        };
        TeamLookForm {
            account_id: account_id.to_owned(),
            shown_name: shown_name.to_owned(),
            name,
            color,
            console_color: false,
            stage: Stage::Editing,
        }
    }

    /// The request the form makes, or the problem of each field (in field order).
    pub fn check(&self) -> Result<AccountsSetParams, Vec<(LookField, String)>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        let color = self.color.trim();
        if !name.is_empty() {
            if let Err(e) = team::check_name(name) {
                problems.push((LookField::Name, sentence(&e.to_string())));
            }
        }
        if !color.is_empty() {
            if let Err(e) = team::check_color(color) {
                problems.push((LookField::Color, sentence(&e.to_string())));
            }
        } else if self.console_color {
            problems.push((
                LookField::Color,
                "The console's color is matched to a color: give one.".to_owned(),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(AccountsSetParams {
            profile: None,
            account_id: self.account_id.clone(),
            name: Some(name.to_owned()),
            color: Some(color.to_owned()),
            role_hints: None,
            console_color: self.console_color,
            role_name: None,
        })
    }

    /// The user pressed Save: the request to send, when the fields are good and nothing
    /// is being saved.
    pub fn submit(&mut self) -> Option<AccountsSetParams> {
        if self.stage == Stage::Saving {
            return None;
        }
        let params = self.check().ok()?;
        self.stage = Stage::Saving;
        Some(params)
    }

    /// The answer to `accounts.set` (a late one, when not saving, changes nothing).
    pub fn answer(&mut self, answer: Result<AccountsSetData, ErrorBody>) {
        if self.stage != Stage::Saving {
            return;
        }
        self.stage = match answer {
            Ok(data) => Stage::Saved { notes: data.notes },
            Err(error) => Stage::Failed(error),
        };
    }

    /// A field was typed in: a saved or failed form is editable again.
    pub fn edited(&mut self) {
        if self.stage != Stage::Saving {
            self.stage = Stage::Editing;
        }
    }
}

/// What the form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamLookView {
    /// `Name and color for the team: Acme Prod (111111111111)`.
    pub heading: String,
    pub name_error: Option<String>,
    pub color_error: Option<String>,
    /// `#rrggbb` for the color input's swatch, when the color reads as one.
    pub swatch: Option<String>,
    pub saving: bool,
    /// The daemon's refusal: its sentence (commands in backticks) and code.
    pub error: Option<(String, String)>,
    /// What was written, for everyone.
    pub done: Option<String>,
}

/// What `form` shows.
pub fn view(form: &TeamLookForm) -> TeamLookView {
    let problems = form.check().err().unwrap_or_default();
    let problem = |field: LookField| {
        problems
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, text)| text.clone())
    };
    let error = match &form.stage {
        Stage::Failed(error) => Some((failure(error), error.code.as_str().to_owned())),
        _ => None,
    };
    let done = match &form.stage {
        Stage::Saved { notes } => {
            let name = form.name.trim();
            let color = team::check_color(form.color.trim()).ok();
            let mut text = match (name.is_empty(), &color) {
                (false, Some(c)) => format!("Saved for the team: “{name}”, #{c}."),
                (false, None) => format!("Saved for the team: “{name}”; no team color."),
                (true, Some(c)) => format!("Saved for the team: #{c}; no team name."),
                (true, None) => "The team's name and color were removed.".to_owned(),
            };
            text.push_str(" Colleagues see it at their next refresh.");
            for note in notes {
                text.push(' ');
                text.push_str(&sentence(note));
            }
            Some(text)
        }
        _ => None,
    };
    TeamLookView {
        heading: format!(
            "Name and color for the team: {} ({})",
            form.shown_name, form.account_id
        ),
        name_error: problem(LookField::Name),
        color_error: problem(LookField::Color),
        swatch: team::check_color(form.color.trim()).ok(),
        saving: form.stage == Stage::Saving,
        error,
        done,
    }
}

/// The daemon's refusal in words: a missing permission says so before the daemon's
/// sentence (which names the action, e.g. `organizations:TagResource`).
fn failure(error: &ErrorBody) -> String {
    let said = error.message.trim().trim_end_matches('.');
    match error.code {
        ErrorCode::AccessDenied => {
            format!("Your AWS identity may not write the account's tags: {said}.")
        }
        ErrorCode::CredentialsMissing | ErrorCode::KeyringUnavailable => {
            format!("Writing the team's tags needs a stored AWS key: {said}.")
        }
        _ => sentence(said),
    }
}

#[cfg(test)]
#[path = "team_look_tests.rs"]
mod tests;

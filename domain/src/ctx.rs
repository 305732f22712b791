//! The caller of every service function: who they are, in which role, over
//! which part of the country.

use uuid::Uuid;

use crate::enums::{Department, RegionLevel, Role};
use crate::guarantee::Rules;
use crate::region;
use crate::resource::ResourceKind;

/// The authenticated caller, built by `api` from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// The token's subject: an account id or a client id.
    pub subject: String,
    /// The caller's role.
    pub role: Role,
    /// The department, for `department` callers.
    pub department: Option<Department>,
    /// The caller's organisation, when it has one.
    pub organization_id: Option<Uuid>,
    /// The 12-digit code of the region the caller is bound to.
    pub region_code: String,
    /// The request this call serves, for the audit trail: the server's id.
    pub request_id: String,
    /// The client's own id of the request (its `X-Request-Id`), kept beside
    /// the server's so that a partner can correlate; never used instead of it.
    pub client_request_id: Option<String>,
    /// Through which route the call came (`GET /api/v1/children/{id}`, `POST /graphql`), for the audit trail.
    pub channel: String,
    /// The deployment's numbers for guarantees and pairings.
    pub rules: Rules,
    /// For a `volunteer`, the children actively paired with them now (an
    /// approved volunteer's, read per request); empty for everyone else.
    pub volunteer_children: Vec<Uuid>,
    /// Whether the service functions write the read-log entry of the records
    /// they return (one call answers one response, as in REST); false where the
    /// surface records what it actually sent instead (GraphQL, whose response
    /// holds only the selected fields).
    pub service_logs_reads: bool,
}

impl Ctx {
    /// The context the command-line tools act in: an administrator with no
    /// bounds, whose service calls write no read-log entries.
    pub fn system(request_id: &str) -> Self {
        Self {
            subject: "system".to_owned(),
            role: Role::Admin,
            department: None,
            organization_id: None,
            region_code: "000000000000".to_owned(),
            request_id: request_id.to_owned(),
            client_request_id: None,
            channel: "cli".to_owned(),
            rules: Rules::default(),
            volunteer_children: Vec::new(),
            // What the tools write answers no reader; a tool that shows
            // records records its reads itself.
            service_logs_reads: false,
        }
    }

    /// The only records of `kind` the caller's role reaches, when it is bounded
    /// by more than jurisdiction (a volunteer's paired children).
    pub fn reachable(&self, kind: ResourceKind) -> Option<&[Uuid]> {
        (self.role == Role::Volunteer && kind == ResourceKind::Child).then_some(self.volunteer_children.as_slice())
    }

    /// Whether the caller's role lets it reach this record at all: a volunteer
    /// reaches only the children paired with them.
    pub fn reaches(&self, kind: ResourceKind, id: Uuid) -> bool {
        self.role != Role::Volunteer || kind != ResourceKind::Child || self.volunteer_children.contains(&id)
    }

    /// The prefix every region code in the caller's jurisdiction starts with;
    /// `None` for an administrator, who is not bound by jurisdiction.
    pub fn jurisdiction_prefix(&self) -> Option<&str> {
        match self.role {
            Role::Admin => None,
            _ if region::is_valid_code(&self.region_code) => Some(region::prefix_of(&self.region_code)),
            // A malformed binding sees nothing: a prefix no code can have.
            _ => Some("x"),
        }
    }

    /// Whether a record in `region_code` lies inside the caller's jurisdiction.
    pub fn covers(&self, region_code: &str) -> bool {
        self.jurisdiction_prefix().is_none_or(|p| region_code.starts_with(p))
    }

    /// The regions above the caller's, up to its county, whose care places
    /// serve the caller's villages: a village officer's township and county, a
    /// township officer's county. Empty for a caller bound to a county or higher.
    pub fn served_from(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.jurisdiction_prefix().is_none() || !region::is_valid_code(&self.region_code) {
            return out;
        }
        let mut code = self.region_code.clone();
        while matches!(region::level_of(&code), RegionLevel::Village | RegionLevel::Township) {
            let Some(parent) = region::parent_of(&code) else { break };
            out.push(parent.clone());
            code = parent;
        }
        out
    }

    /// Whether the caller reads a record of `kind` registered in
    /// `region_code`: one inside its jurisdiction, or a care place registered
    /// at its township or county (see [`Ctx::served_from`]), which serves its
    /// villages. Changing a record still needs it inside the jurisdiction.
    pub fn sees(&self, kind: ResourceKind, region_code: &str) -> bool {
        self.covers(region_code)
            || (kind == ResourceKind::CareCenter && self.served_from().iter().any(|c| c == region_code))
    }

    /// Whether the caller belongs to `department`.
    pub fn is_department(&self, department: Department) -> bool {
        self.role == Role::Department && self.department == Some(department)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(role: Role, region: &str) -> Ctx {
        Ctx {
            role,
            region_code: region.to_owned(),
            ..Ctx::system("t")
        }
    }

    #[test]
    fn a_township_covers_its_villages_only() {
        let c = ctx(Role::TownshipOfficer, "522631101000");
        assert!(c.covers("522631101201"));
        assert!(!c.covers("522631102201"));
    }

    #[test]
    fn a_village_is_served_by_the_care_places_of_its_township_and_county() {
        let village = ctx(Role::VillageOfficer, "522631101201");
        assert_eq!(village.served_from(), vec!["522631101000", "522631000000"]);
        assert!(village.sees(ResourceKind::CareCenter, "522631101000"));
        assert!(village.sees(ResourceKind::CareCenter, "522631000000"));
        assert!(!village.sees(ResourceKind::CareCenter, "522631102000"));
        assert!(!village.sees(ResourceKind::Child, "522631101000"));
        assert_eq!(
            ctx(Role::TownshipOfficer, "522631101000").served_from(),
            vec!["522631000000"]
        );
        assert!(ctx(Role::Coordinator, "522631000000").served_from().is_empty());
        assert!(ctx(Role::Admin, "522631101201").served_from().is_empty());
    }

    #[test]
    fn an_admin_covers_everything() {
        assert!(ctx(Role::Admin, "522631101000").covers("110105000000"));
    }
}

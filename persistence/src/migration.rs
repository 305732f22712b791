//! The schema, as one migration set that runs on SQLite and PostgreSQL alike.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Initial),
            Box::new(CareRelations),
            Box::new(SealedTrail),
            Box::new(Sessions),
            Box::new(ClientRequestIds),
            Box::new(AccessReasons),
            Box::new(ChangesFeed),
            Box::new(FeedSequencer),
            Box::new(Webhooks),
            Box::new(ExportReads),
            Box::new(Imports),
            Box::new(GuardianIdNumbers),
        ]
    }
}

struct Initial;

/// The tables of the audit trail: the database refuses to change or delete their rows.
const APPEND_ONLY: [&str; 3] = ["events", "access_events", "access_event_children"];

impl MigrationName for Initial {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}
fn text(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.string().not_null();
    c
}
fn text_null(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.string().null();
    c
}
fn flag(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.boolean().not_null();
    c
}
fn uuid(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.uuid().not_null();
    c
}
fn instant(name: &str) -> ColumnDef {
    let mut c = col(name);
    c.timestamp_with_time_zone().not_null();
    c
}

/// id, version, created_at, updated_at: what every register record has.
fn record(table: &str) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(table))
        .if_not_exists()
        .col(uuid("id").primary_key())
        .col(col("version").big_integer().not_null())
        .col(instant("created_at"))
        .col(instant("updated_at"));
    t
}

fn index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", columns.join("_")))
        .table(Alias::new(table))
        .if_not_exists();
    for c in columns {
        i.col(Alias::new(*c));
    }
    i
}

/// The indexes behind the list filters every register collection shares.
fn common_indexes(table: &str, name_column: &str) -> Vec<IndexCreateStatement> {
    vec![
        index(table, &["region_code"]),
        index(table, &["status"]),
        index(table, &["updated_at"]),
        index(table, &[name_column]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Initial {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut regions = Table::create();
        regions
            .table(Alias::new("regions"))
            .if_not_exists()
            .col(text("code").primary_key())
            .col(col("version").big_integer().not_null())
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .col(text("name"))
            .col(text("level"))
            .col(text_null("parent_code"));
        manager.create_table(regions).await?;
        manager.create_index(index("regions", &["parent_code"])).await?;

        // Departments, NGOs, schools, village committees: what accounts belong to.
        let mut organizations = record("organizations");
        organizations
            .col(text("name"))
            .col(text("kind"))
            .col(text_null("department"))
            .col(text("region_code"));
        manager.create_table(organizations).await?;
        manager.create_index(index("organizations", &["region_code"])).await?;

        let mut accounts = record("accounts");
        accounts
            .col(text("username").unique_key())
            .col(text("password_hash"))
            .col(text("role"))
            .col(text_null("department"))
            .col(col("organization_id").uuid().null())
            .col(text("region_code"))
            .col(flag("disabled"))
            .col(flag("is_client"))
            .col(col("failed_logins").integer().not_null().default(0))
            .col(col("locked_until").timestamp_with_time_zone().null())
            .col(text_null("display_name"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_accounts_organization")
                    .from(Alias::new("accounts"), Alias::new("organization_id"))
                    .to(Alias::new("organizations"), Alias::new("id")),
            );
        manager.create_table(accounts).await?;

        let mut children = record("children");
        children
            .col(text("name"))
            .col(text("gender"))
            .col(col("birth_date").date().not_null())
            .col(text_null("id_number"))
            .col(text("region_code"))
            .col(text("left_behind_type"))
            .col(text_null("school_stage"))
            .col(text_null("school_name"))
            .col(text_null("grade"))
            .col(text_null("school_status"))
            .col(flag("boarding"))
            .col(text_null("health_notes"))
            .col(flag("minimum_living_allowance"))
            .col(flag("special_hardship"))
            .col(text("status"));
        manager.create_table(children).await?;
        let mut unique_id = index("children", &["id_number"]);
        unique_id.name("ux_children_id_number").unique();
        manager.create_index(unique_id).await?;
        for i in common_indexes("children", "name") {
            manager.create_index(i).await?;
        }
        for c in [
            "school_status",
            "school_stage",
            "left_behind_type",
            "gender",
            "birth_date",
        ] {
            manager.create_index(index("children", &[c])).await?;
        }

        let mut guardians = record("guardians");
        guardians
            .col(text("name"))
            .col(text_null("gender"))
            .col(text_null("phone"))
            .col(text_null("id_number"))
            .col(text("region_code"))
            .col(flag("is_working_away"))
            .col(text_null("work_location"))
            .col(col("working_away_since").date().null())
            .col(col("last_home_visit_on").date().null())
            .col(flag("guardianship_capable"))
            .col(text("status"));
        manager.create_table(guardians).await?;
        for i in common_indexes("guardians", "name") {
            manager.create_index(i).await?;
        }

        let mut guardianships = record("guardianships");
        guardianships
            .col(uuid("child_id"))
            .col(uuid("guardian_id"))
            .col(text("region_code"))
            .col(text("relationship"))
            .col(flag("is_primary_caregiver"))
            .col(flag("lives_with_child"))
            .col(col("agreement_signed_on").date().null())
            .col(col("ended_on").date().null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_guardianships_child")
                    .from(Alias::new("guardianships"), Alias::new("child_id"))
                    .to(Alias::new("children"), Alias::new("id")),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_guardianships_guardian")
                    .from(Alias::new("guardianships"), Alias::new("guardian_id"))
                    .to(Alias::new("guardians"), Alias::new("id")),
            );
        manager.create_table(guardianships).await?;
        manager.create_index(index("guardianships", &["child_id"])).await?;
        manager.create_index(index("guardianships", &["guardian_id"])).await?;
        // At most one active primary caregiver per child, and one active link per child and guardian.
        let db = manager.get_connection();
        let truth = if db.get_database_backend() == DbBackend::Postgres {
            "TRUE"
        } else {
            "1"
        };
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_guardianships_primary ON guardianships (child_id) \
             WHERE is_primary_caregiver = {truth} AND ended_on IS NULL"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_guardianships_active_pair ON guardianships (child_id, guardian_id) \
             WHERE ended_on IS NULL",
        )
        .await?;

        let mut centers = record("care_centers");
        centers
            .col(text("name"))
            .col(text("kind"))
            .col(text("region_code"))
            .col(text_null("address"))
            .col(col("capacity").integer().null())
            .col(text_null("facilities"))
            .col(text("status"));
        manager.create_table(centers).await?;
        for i in common_indexes("care_centers", "name") {
            manager.create_index(i).await?;
        }
        manager.create_index(index("care_centers", &["kind"])).await?;

        let mut enrollments = record("enrollments");
        enrollments
            .col(uuid("care_center_id"))
            .col(uuid("child_id"))
            .col(text("region_code"))
            .col(text("kind"))
            .col(col("since").date().not_null())
            .col(col("until").date().null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_enrollments_center")
                    .from(Alias::new("enrollments"), Alias::new("care_center_id"))
                    .to(Alias::new("care_centers"), Alias::new("id")),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_enrollments_child")
                    .from(Alias::new("enrollments"), Alias::new("child_id"))
                    .to(Alias::new("children"), Alias::new("id")),
            );
        manager.create_table(enrollments).await?;
        manager
            .create_index(index("enrollments", &["care_center_id", "since"]))
            .await?;
        manager
            .create_index(index("enrollments", &["child_id", "since"]))
            .await?;

        let mut volunteers = record("volunteers");
        volunteers
            .col(text("name"))
            .col(text_null("phone"))
            .col(text("region_code"))
            .col(text_null("organization"))
            .col(text("category"))
            .col(text_null("skills"))
            .col(text("vetting_status"))
            .col(text("status"));
        manager.create_table(volunteers).await?;
        for i in common_indexes("volunteers", "name") {
            manager.create_index(i).await?;
        }
        manager.create_index(index("volunteers", &["category"])).await?;
        manager.create_index(index("volunteers", &["vetting_status"])).await?;

        let mut sessions = record("training_sessions");
        sessions
            .col(text("title"))
            .col(text("kind"))
            .col(text("region_code"))
            .col(instant("starts_at"))
            .col(col("ends_at").timestamp_with_time_zone().null())
            .col(col("capacity").integer().null())
            .col(text_null("venue"))
            .col(text("status"));
        manager.create_table(sessions).await?;
        for i in common_indexes("training_sessions", "title") {
            manager.create_index(i).await?;
        }
        manager.create_index(index("training_sessions", &["kind"])).await?;
        manager.create_index(index("training_sessions", &["starts_at"])).await?;

        let mut events = Table::create();
        events
            .table(Alias::new("events"))
            .if_not_exists()
            .col(col("seq").big_integer().not_null().auto_increment().primary_key())
            .col(uuid("id").unique_key())
            .col(instant("occurred_at"))
            .col(text("actor"))
            .col(text("actor_role"))
            .col(text("request_id"))
            .col(text("resource_kind"))
            .col(uuid("resource_id"))
            .col(text("region_code"))
            .col(text("action"))
            .col(col("version").big_integer().not_null())
            .col(col("changes").json().not_null());
        manager.create_table(events).await?;
        manager.create_index(index("events", &["resource_id"])).await?;
        manager.create_index(index("events", &["actor"])).await?;
        manager.create_index(index("events", &["occurred_at"])).await?;
        manager.create_index(index("events", &["region_code"])).await?;

        let mut keys = Table::create();
        keys.table(Alias::new("signing_keys"))
            .if_not_exists()
            .col(text("kid").primary_key())
            .col(text("private_key"))
            .col(text("public_key"))
            .col(instant("created_at"));
        manager.create_table(keys).await?;

        let mut refresh = Table::create();
        refresh
            .table(Alias::new("refresh_tokens"))
            .if_not_exists()
            .col(uuid("id").primary_key())
            .col(uuid("family_id"))
            .col(uuid("account_id"))
            .col(text("token_hash").unique_key())
            .col(instant("expires_at"))
            .col(col("used_at").timestamp_with_time_zone().null())
            .col(col("revoked_at").timestamp_with_time_zone().null())
            .col(instant("created_at"));
        manager.create_table(refresh).await?;
        manager.create_index(index("refresh_tokens", &["family_id"])).await?;

        let mut keys = Table::create();
        keys.table(Alias::new("idempotency_keys"))
            .if_not_exists()
            .col(text("subject"))
            .col(text("key"))
            .col(text("operation"))
            .col(text("request_hash"))
            .col(uuid("record_id"))
            .col(col("response").text().null())
            .col(instant("locked_until"))
            .col(instant("expires_at"))
            .primary_key(Index::create().col(Alias::new("subject")).col(Alias::new("key")));
        manager.create_table(keys).await?;
        manager.create_index(index("idempotency_keys", &["expires_at"])).await?;

        let mut access = Table::create();
        access
            .table(Alias::new("access_events"))
            .if_not_exists()
            .col(col("seq").big_integer().not_null().auto_increment().primary_key())
            .col(uuid("id").unique_key())
            .col(instant("occurred_at"))
            .col(text("actor"))
            .col(text("actor_role"))
            .col(text("request_id"))
            .col(text("channel"))
            .col(col("fields").json().not_null());
        manager.create_table(access).await?;
        manager.create_index(index("access_events", &["actor"])).await?;
        manager.create_index(index("access_events", &["occurred_at"])).await?;
        let mut access_children = Table::create();
        access_children
            .table(Alias::new("access_event_children"))
            .if_not_exists()
            .col(uuid("event_id"))
            .col(uuid("child_id"))
            .primary_key(Index::create().col(Alias::new("event_id")).col(Alias::new("child_id")));
        manager.create_table(access_children).await?;
        manager
            .create_index(index("access_event_children", &["child_id"]))
            .await?;

        // The event log is append-only: the database itself refuses to change it.
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION shouhu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;",
                )
                .await?;
                for table in APPEND_ONLY {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION shouhu_refuse_change();"
                    ))
                    .await?;
                }
            }
            _ => {
                for table in APPEND_ONLY {
                    for op in ["UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op} ON {table} \
                             BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Pairings, visits and family contacts, training attendance, and the account
/// a volunteer signs in with.
struct CareRelations;

impl MigrationName for CareRelations {
    fn name(&self) -> &str {
        "m0002_care_relations"
    }
}

fn foreign(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for CareRelations {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("volunteers"))
                    .add_column(col("account_id").uuid().null())
                    .to_owned(),
            )
            .await?;

        let mut pairings = record("pairings");
        pairings
            .col(uuid("volunteer_id"))
            .col(uuid("child_id"))
            .col(text("region_code"))
            .col(text("kind"))
            .col(col("since").date().not_null())
            .col(text_null("notes"))
            .col(col("ended_on").date().null())
            .foreign_key(&mut foreign("pairings", "volunteer_id", "volunteers"))
            .foreign_key(&mut foreign("pairings", "child_id", "children"));
        manager.create_table(pairings).await?;
        manager.create_index(index("pairings", &["volunteer_id"])).await?;
        manager.create_index(index("pairings", &["child_id"])).await?;

        let mut visits = record("visits");
        visits
            .col(uuid("child_id"))
            .col(text("region_code"))
            .col(text("kind"))
            .col(text("mode"))
            .col(col("occurred_on").date().not_null())
            .col(text_null("visitor"))
            .col(col("guardian_id").uuid().null())
            .col(text_null("notes"))
            .col(text("concerns"))
            .col(flag("follow_up_needed"))
            .col(col("resolved_on").date().null())
            .col(col("withdrawn_on").date().null())
            .col(text("recorded_by"))
            .foreign_key(&mut foreign("visits", "child_id", "children"))
            .foreign_key(&mut foreign("visits", "guardian_id", "guardians"));
        manager.create_table(visits).await?;
        manager
            .create_index(index("visits", &["child_id", "kind", "occurred_on"]))
            .await?;

        let mut attendance = record("attendance");
        attendance
            .col(uuid("training_session_id"))
            .col(text("region_code"))
            .col(text("attendee_kind"))
            .col(uuid("attendee_id"))
            .col(col("checked_in_at").timestamp_with_time_zone().null())
            .col(col("cancelled_on").date().null())
            .foreign_key(&mut foreign("attendance", "training_session_id", "training_sessions"));
        manager.create_table(attendance).await?;
        manager
            .create_index(index("attendance", &["training_session_id"]))
            .await?;
        manager.create_index(index("attendance", &["attendee_id"])).await?;

        let db = manager.get_connection();
        for sql in [
            // One record per account; one active pairing per volunteer and child;
            // one active registration per person and session.
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_volunteers_account ON volunteers (account_id) \
             WHERE account_id IS NOT NULL",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_pairings_active_pair ON pairings (volunteer_id, child_id) \
             WHERE ended_on IS NULL",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_attendance_active ON attendance (training_session_id, attendee_id) \
             WHERE cancelled_on IS NULL",
            // The open safety concerns, few among all visits, for the safety guarantee.
            "CREATE INDEX IF NOT EXISTS ix_visits_open_safety ON visits (child_id) \
             WHERE withdrawn_on IS NULL AND resolved_on IS NULL AND concerns LIKE '%safety%'",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

/// The trail refuses the writes that slip past row triggers: on SQLite an
/// `INSERT OR REPLACE` (or `REPLACE`) deletes the row it collides with without
/// firing delete triggers, so any insert that collides with a recorded row is
/// refused before it happens; on PostgreSQL `TRUNCATE` skips row triggers, so
/// a statement trigger refuses it.
struct SealedTrail;

impl MigrationName for SealedTrail {
    fn name(&self) -> &str {
        "m0003_sealed_trail"
    }
}

/// Each append-only table with the columns that identify one of its rows.
const APPEND_ONLY_KEYS: [(&str, &str); 3] = [
    ("events", "seq = NEW.seq OR id = NEW.id"),
    ("access_events", "seq = NEW.seq OR id = NEW.id"),
    (
        "access_event_children",
        "event_id = NEW.event_id AND child_id = NEW.child_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for SealedTrail {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, same_row) in APPEND_ONLY_KEYS {
            let sql = match db.get_database_backend() {
                DbBackend::Postgres => format!(
                    "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION shouhu_refuse_change();"
                ),
                _ => format!(
                    "CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} \
                     WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_row}) \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
                ),
            };
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}

/// Sessions (a login's refresh-token family, or one client credentials grant)
/// that access tokens name, so that ending one refuses its access tokens on
/// every replica; and the failed authentications per name and source address.
struct Sessions;

impl MigrationName for Sessions {
    fn name(&self) -> &str {
        "m0004_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Sessions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut sessions = Table::create();
        sessions
            .table(Alias::new("sessions"))
            .if_not_exists()
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(text("kind"))
            .col(instant("created_at"))
            .col(col("revoked_at").timestamp_with_time_zone().null());
        manager.create_table(sessions).await?;
        manager.create_index(index("sessions", &["account_id"])).await?;
        // The logins of refresh tokens issued before sessions existed.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO sessions (id, account_id, kind, created_at, revoked_at) \
                 SELECT family_id, account_id, 'login', MIN(created_at), MAX(revoked_at) \
                 FROM refresh_tokens GROUP BY family_id, account_id",
            )
            .await?;

        let mut throttles = Table::create();
        throttles
            .table(Alias::new("auth_throttles"))
            .if_not_exists()
            .col(text("key").primary_key())
            .col(text("scope"))
            .col(text("subject"))
            .col(text("source"))
            .col(col("failures").integer().not_null())
            .col(col("blocked_until").timestamp_with_time_zone().null())
            .col(instant("updated_at"));
        manager.create_table(throttles).await?;
        manager.create_index(index("auth_throttles", &["subject"])).await?;
        manager.create_index(index("auth_throttles", &["updated_at"])).await?;
        Ok(())
    }
}

/// The client's own `X-Request-Id`, kept beside the server's request id in both
/// logs of the audit trail (null for the rows written before, and when the
/// client sent none or an insane one).
struct ClientRequestIds;

impl MigrationName for ClientRequestIds {
    fn name(&self) -> &str {
        "m0005_client_request_ids"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ClientRequestIds {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["events", "access_events"] {
            let mut alter = Table::alter();
            alter
                .table(Alias::new(table))
                .add_column(text_null("client_request_id"));
            manager.alter_table(alter).await?;
        }
        Ok(())
    }
}

/// Why each read-log entry was made: a response that carried the data, or a
/// resident ID number that matched a child outside the caller's reach.
struct AccessReasons;

impl MigrationName for AccessReasons {
    fn name(&self) -> &str {
        "m0006_access_reasons"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AccessReasons {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_events"))
                    .add_column(col("reason").text().not_null().default("response"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("access_events", &["actor", "reason", "occurred_at"]))
            .await
    }
}

/// The changes feed: each committed event's position in commit order
/// (`changes`), and the last position given (`feed_head`). Events written
/// before it get their sequence number as position, in the order they were
/// written.
struct ChangesFeed;

impl MigrationName for ChangesFeed {
    fn name(&self) -> &str {
        "m0007_changes_feed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ChangesFeed {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut changes = Table::create();
        changes
            .table(Alias::new("changes"))
            .if_not_exists()
            .col(col("position").big_integer().not_null().primary_key())
            .col(uuid("event_id").unique_key())
            .col(text("resource_kind"))
            .col(text("region_code"))
            .col(text_null("region_before"))
            .col(instant("occurred_at"));
        manager.create_table(changes).await?;
        manager.create_index(index("changes", &["occurred_at"])).await?;
        let mut head = Table::create();
        head.table(Alias::new("feed_head"))
            .if_not_exists()
            .col(col("id").integer().not_null().primary_key())
            .col(col("position").big_integer().not_null())
            .col(col("purged_through").big_integer().not_null());
        manager.create_table(head).await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO changes (position, event_id, resource_kind, region_code, region_before, occurred_at) \
             SELECT seq, id, resource_kind, region_code, NULL, occurred_at FROM events",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO feed_head (id, position, purged_through) SELECT 1, COALESCE(MAX(seq), 0), 0 FROM events",
        )
        .await?;
        Ok(())
    }
}

/// Changes stored without a position, settled later (see `crate::changes`):
/// `changes` is keyed by `seq`, the order rows are stored in, and `position`
/// is null until the row is settled. SQLite cannot alter a column, so the
/// table is made anew and its rows copied, each keeping its position.
struct FeedSequencer;

impl MigrationName for FeedSequencer {
    fn name(&self) -> &str {
        "m0008_feed_sequencer"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for FeedSequencer {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut next = Table::create();
        next.table(Alias::new("changes_next"))
            .col(col("seq").big_integer().not_null().auto_increment().primary_key())
            .col(col("position").big_integer().null())
            .col(uuid("event_id"))
            .col(text("resource_kind"))
            .col(text("region_code"))
            .col(text_null("region_before"))
            .col(instant("occurred_at"));
        manager.create_table(next).await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO changes_next (position, event_id, resource_kind, region_code, region_before, occurred_at) \
             SELECT position, event_id, resource_kind, region_code, region_before, occurred_at FROM changes \
             ORDER BY position",
        )
        .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("changes")).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(Alias::new("changes_next"), Alias::new("changes"))
                    .to_owned(),
            )
            .await?;
        if db.get_database_backend() == DbBackend::Postgres {
            // PostgreSQL names a table's key and sequence after it, and a rename keeps the names.
            db.execute_unprepared("ALTER INDEX changes_next_pkey RENAME TO changes_pkey")
                .await?;
            db.execute_unprepared("ALTER SEQUENCE changes_next_seq_seq RENAME TO changes_seq_seq")
                .await?;
        }
        let mut position = index("changes", &["position"]);
        position.name("ux_changes_position").unique();
        manager.create_index(position).await?;
        let mut event = index("changes", &["event_id"]);
        event.name("ux_changes_event_id").unique();
        manager.create_index(event).await?;
        manager.create_index(index("changes", &["occurred_at"])).await?;
        // What settling looks for, and what every feed read first checks for.
        db.execute_unprepared("CREATE INDEX ix_changes_unsettled ON changes (seq) WHERE position IS NULL")
            .await?;
        Ok(())
    }

    /// On SQLite too: a crash between dropping the old table and renaming the new one must leave the old one.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Webhooks: subscriptions (with the feed position each has queued up to and
/// the lease of the replica serving it), the outbox of deliveries, and the
/// log of attempts.
struct Webhooks;

impl MigrationName for Webhooks {
    fn name(&self) -> &str {
        "m0009_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Webhooks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut subscriptions = record("webhook_subscriptions");
        subscriptions
            .col(uuid("owner_id"))
            .col(text("url"))
            .col(col("event_types").text().not_null())
            .col(col("description").text().null())
            .col(text("secret"))
            .col(text("status"))
            .col(text_null("disabled_reason"))
            .col(col("cursor").big_integer().not_null())
            .col(col("dead_in_a_row").integer().not_null())
            .col(text_null("lease_owner"))
            .col(col("lease_until").timestamp_with_time_zone().null());
        manager.create_table(subscriptions).await?;
        manager
            .create_index(index("webhook_subscriptions", &["owner_id", "id"]))
            .await?;
        manager
            .create_index(index("webhook_subscriptions", &["status", "lease_until"]))
            .await?;

        let mut deliveries = Table::create();
        deliveries
            .table(Alias::new("webhook_deliveries"))
            .if_not_exists()
            .col(uuid("id").primary_key())
            .col(uuid("subscription_id"))
            .col(text("event_type"))
            .col(col("position").big_integer().null())
            .col(text("status"))
            .col(col("attempts").integer().not_null())
            .col(col("next_attempt_at").timestamp_with_time_zone().null())
            .col(instant("created_at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_webhook_deliveries_subscription")
                    .from(Alias::new("webhook_deliveries"), Alias::new("subscription_id"))
                    .to(Alias::new("webhook_subscriptions"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(deliveries).await?;
        manager
            .create_index(index("webhook_deliveries", &["subscription_id", "status", "position"]))
            .await?;
        manager
            .create_index(index("webhook_deliveries", &["subscription_id", "id"]))
            .await?;
        manager
            .create_index(index("webhook_deliveries", &["created_at"]))
            .await?;

        let mut attempts = Table::create();
        attempts
            .table(Alias::new("webhook_attempts"))
            .if_not_exists()
            .col(uuid("id").primary_key())
            .col(uuid("delivery_id"))
            .col(instant("at"))
            .col(col("status_code").integer().null())
            .col(col("duration_ms").big_integer().not_null())
            .col(col("error").text().null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_webhook_attempts_delivery")
                    .from(Alias::new("webhook_attempts"), Alias::new("delivery_id"))
                    .to(Alias::new("webhook_deliveries"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(attempts).await?;
        manager
            .create_index(index("webhook_attempts", &["delivery_id", "at"]))
            .await?;
        Ok(())
    }
}

/// Exports in the read log: the jurisdiction an export covered (so its entry
/// shows to that region's auditors) and, in a table of their own (the log is
/// append-only), how each export ended.
struct ExportReads;

impl MigrationName for ExportReads {
    fn name(&self) -> &str {
        "m0010_export_reads"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ExportReads {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_events"))
                    .add_column(col("scope").text().null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("access_events", &["scope"])).await?;
        let mut totals = Table::create();
        totals
            .table(Alias::new("access_event_totals"))
            .if_not_exists()
            .col(uuid("event_id").primary_key())
            .col(col("rows").big_integer().not_null())
            .col(flag("complete"));
        manager.create_table(totals).await?;
        seal(
            manager.get_connection(),
            "access_event_totals",
            "event_id = NEW.event_id",
        )
        .await
    }
}

/// Makes a table added later append-only as the first migrations made the
/// audit trail's: no update, no delete, no replacing insert, no truncate.
async fn seal(db: &impl ConnectionTrait, table: &str, same_row: &str) -> Result<(), DbErr> {
    let statements = match db.get_database_backend() {
        DbBackend::Postgres => vec![
            format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION shouhu_refuse_change();"
            ),
            format!(
                "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION shouhu_refuse_change();"
            ),
        ],
        _ => ["UPDATE", "DELETE"]
            .iter()
            .map(|op| {
                format!(
                    "CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
                )
            })
            .chain([format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} \
                 WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_row}) \
                 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
            )])
            .collect(),
    };
    for sql in statements {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Census imports: each a job (the file, its options, its status, progress,
/// counts and report) that any replica may run, under a lease.
struct Imports;

impl MigrationName for Imports {
    fn name(&self) -> &str {
        "m0011_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Imports {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut imports = Table::create();
        imports
            .table(Alias::new("imports"))
            .if_not_exists()
            .col(uuid("id").primary_key())
            .col(text("subject"))
            .col(text("username"))
            .col(text("kind"))
            .col(flag("dry_run"))
            .col(text("on_error"))
            .col(text("status"))
            .col(col("file").blob().not_null())
            .col(text_null("file_name"))
            .col(col("rows_total").big_integer().not_null().default(0))
            .col(col("rows_done").big_integer().not_null().default(0))
            .col(col("counts").text().null())
            .col(col("report").text().null())
            .col(text_null("lease_owner"))
            .col(col("lease_until").timestamp_with_time_zone().null())
            .col(col("attempts").integer().not_null().default(0))
            .col(instant("created_at"))
            .col(instant("updated_at"));
        manager.create_table(imports).await?;
        manager
            .create_index(index("imports", &["status", "created_at"]))
            .await?;
        manager.create_index(index("imports", &["subject", "created_at"])).await
    }
}

/// A census row's caregiver is matched to a guardian by ID number: an index,
/// so that the match reads one row rather than every guardian.
struct GuardianIdNumbers;

impl MigrationName for GuardianIdNumbers {
    fn name(&self) -> &str {
        "m0012_guardian_id_numbers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for GuardianIdNumbers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("guardians", &["id_number"])).await
    }
}

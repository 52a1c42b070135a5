#![allow(dead_code)] // each suite uses its own part of it
//! The shop the CI suites (ci.rs, diff.rs) run on: a catalog, CRM and behaviour
//! segments, and small CSV files, with `app.accounts` bound to a file that is not there.

use super::common::Project;

pub const CATALOG: &str = "\
entity user {
  table app.users
  key user_id
  columns {
    plan    string
    country string
  }
}

entity account {
  table app.accounts
  key account_id
  columns {
    employees int
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
  properties {
    amount decimal
  }
}
";

pub const CRM: &str = "\
segment paying {
  tags [\"crm\"]
  where plan in [\"pro\", \"business\"]
}

segment french_payers {
  tags [\"crm\", \"geo\"]
  where in paying and country = \"FR\"
}

segment big_accounts of account {
  where employees >= 100
}
";

pub const BEHAVIOUR: &str = "\
trait spend = sum(amount) of \"purchase\"

segment buyers {
  where spend > 0
}

report overview {
  segments [paying, buyers]
  metric members = count
}

test french_payers_are_french {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id | plan  | country |
    | \"a\"     | \"pro\" | \"FR\"    |
    | \"b\"     | \"pro\" | \"DE\"    |
  }
  expect french_payers = [\"a\"]
}

test buyers_bought {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id |
    | \"a\"     |
  }
  expect buyers = []
}
";

pub const USERS_CSV: &str = "\
user_id,plan,country
u1,pro,FR
u2,free,FR
u3,business,DE
";

pub const EVENTS_CSV: &str = "\
user_id,event_name,occurred_at,amount
u1,purchase,2024-05-20 10:00:00,49.90
";

/// The project, with `app.accounts` bound to a file that is not there: only what reads
/// accounts can fail on it.
pub fn project() -> Project {
    let p = Project::empty();
    p.write(
        "segql.toml",
        "name = \"sel\"\npaths = [\"segments\"]\n\n[bindings]\n\
         \"app.users\" = \"data/users.csv\"\n\
         \"app.events\" = \"data/events.csv\"\n\
         \"app.accounts\" = \"data/accounts.csv\"\n",
    )
    .write("segments/catalog.seg", CATALOG)
    .write("segments/crm/crm.seg", CRM)
    .write("segments/behaviour.seg", BEHAVIOUR)
    .write("data/users.csv", USERS_CSV)
    .write("data/events.csv", EVENTS_CSV);
    p
}

//! Warnings: declarations nothing uses.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn unused(&mut self, items: &[&'a ast::Item]) {
        for item in items {
            match &item.kind {
                ast::ItemKind::Trait(t) if !self.used_traits.contains(&t.name.name) => {
                    self.err(
                        Diagnostic::warning(
                            codes::UNUSED,
                            t.name.span,
                            format!("trait `{}` is never used", t.name.name),
                        )
                        .with_label("declared here, used nowhere")
                        .with_hint("use it in a segment or a report, or remove it"),
                    );
                }
                ast::ItemKind::Action(a) if !self.used_actions.contains(&a.name.name) => {
                    self.err(
                        Diagnostic::warning(
                            codes::UNUSED,
                            a.name.span,
                            format!("action `{}` is never used", a.name.name),
                        )
                        .with_label("declared here, used nowhere")
                        .with_hint(format!(
                            "use it where an event goes (did {}), or remove it",
                            segql_syntax::fmt::ident_text(&a.name.name)
                        )),
                    );
                }
                ast::ItemKind::Events(ev) => {
                    let name = ev
                        .name
                        .as_ref()
                        .map(|n| n.name.as_str())
                        .unwrap_or("events");
                    if let Some(&id) = self.events_ids.get(name) {
                        if !self.used_events.contains(&id) {
                            let span = ev.name.as_ref().map(|n| n.span).unwrap_or(ev.entity.span);
                            self.err(
                                Diagnostic::warning(
                                    codes::UNUSED,
                                    span,
                                    format!("events relation `{name}` is never used"),
                                )
                                .with_label("declared here, used nowhere")
                                .with_hint("no segment or trait reads these events"),
                            );
                        }
                    }
                }
                ast::ItemKind::Entity(e) => {
                    if let Some(&id) = self.entity_ids.get(&e.name.name) {
                        let has_events =
                            self.program.catalog.events.iter().any(|ev| ev.entity == id);
                        if !self.used_entities.contains(&id) && !has_events {
                            self.err(
                                Diagnostic::warning(
                                    codes::UNUSED,
                                    e.name.span,
                                    format!("entity `{}` is never used", e.name.name),
                                )
                                .with_label("declared here, used nowhere")
                                .with_hint("no segment, trait or reference uses it"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        let _ = cond_text;
    }
}

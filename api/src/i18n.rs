//! The caller's language: English (`en`, the default) or Simplified Chinese
//! (`zh-CN`), chosen once per request from `Accept-Language` by [`negotiate`].
//! Every text for people (problem titles and details, field messages, GraphQL
//! error messages, guarantee reasons, enumeration labels) is a key of the
//! locale files in `api/locales/` (`en.yml` and `zh-CN.yml` for what the kinds
//! share, and one file per record kind, `<kind>.yml`, holding its label and
//! messages in both languages; edited by translators) and is rendered here; the domain only names its messages
//! ([`Message`]). A response that rendered any text carries
//! `Content-Language` and `Vary: Accept-Language`.

use std::cell::Cell;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest};
use shouhu_domain::Message;

rust_i18n::i18n!("locales", fallback = "en");

/// A language the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English, the default.
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Self; 2] = [Self::En, Self::ZhCn];

    /// The BCP 47 tag, as in `Content-Language` and the locale file's name.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// The language one `Accept-Language` range asks for, if the server speaks it:
    /// `zh`, `zh-CN`, `zh-Hans`, `zh-Hans-CN` (and other Simplified ranges) are
    /// Chinese; `en`, `en-*` and `*` are English; Traditional Chinese
    /// (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) and every other language are not spoken.
    fn of_range(range: &str) -> Option<Self> {
        let mut subtags = range.split('-');
        let primary = subtags.next().unwrap_or_default();
        if primary == "*" || primary.eq_ignore_ascii_case("en") {
            return Some(Self::En);
        }
        if !primary.eq_ignore_ascii_case("zh") {
            return None;
        }
        let traditional = subtags.any(|s| ["hant", "tw", "hk", "mo"].iter().any(|t| s.eq_ignore_ascii_case(t)));
        (!traditional).then_some(Self::ZhCn)
    }

    /// The best language for an `Accept-Language` value (RFC 9110 §12.5.4): the
    /// spoken one with the highest weight (the first of equal weights), English
    /// when none is spoken or the header is absent. Allocates nothing.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(value) = accept_language else {
            return Self::En;
        };
        let mut best: Option<(Self, f32)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="))
                })
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            if weight <= 0.0 {
                continue;
            }
            if let Some(lang) = Self::of_range(range)
                && best.is_none_or(|(_, w)| weight > w)
            {
                best = Some((lang, weight));
            }
        }
        best.map_or(Self::En, |(lang, _)| lang)
    }
}

struct Scope {
    lang: Lang,
    /// Whether the response rendered text in `lang`.
    rendered: Cell<bool>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// The language of the request being served, noted as used (the response will
/// say `Content-Language`). English outside a request (the command line).
pub fn current() -> Lang {
    SCOPE
        .try_with(|s| {
            s.rendered.set(true);
            s.lang
        })
        .unwrap_or(Lang::En)
}

/// The text of a locale file's entry in `lang`, the English one if the
/// language lacks it, and the key itself if no file has it.
fn template(lang: Lang, key: &str) -> std::borrow::Cow<'static, str> {
    _rust_i18n_try_translate(lang.tag(), key).unwrap_or_else(|| key.to_owned().into())
}

/// A message in `lang`, its `%{name}` placeholders filled in.
pub fn render_in(lang: Lang, message: &Message) -> String {
    let text = template(lang, message.key);
    if message.args.is_empty() {
        return text.into_owned();
    }
    let mut names: Vec<String> = message.args.iter().map(|(n, _)| (*n).to_owned()).collect();
    let mut values: Vec<String> = message.args.iter().map(|(_, v)| v.clone()).collect();
    for (name, enumeration) in &message.labels {
        if let Some(value) = message.arg(name) {
            names.push(format!("{name}_label"));
            values.push(text_in(lang, &format!("{enumeration}.{value}")));
        }
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    rust_i18n::replace_patterns(&text, &names, &values)
}

/// A message in the caller's language.
pub fn render(message: &Message) -> String {
    render_in(current(), message)
}

/// A locale file's entry without arguments, in `lang`.
pub fn text_in(lang: Lang, key: &str) -> String {
    template(lang, key).into_owned()
}

/// The problem title for an HTTP status in the caller's language (the
/// status's reason phrase in English).
pub fn title(status: actix_web::http::StatusCode) -> String {
    let lang = current();
    let key = format!("title.{}", status.as_u16());
    _rust_i18n_try_translate(lang.tag(), &key)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned())
}

/// Negotiates the request's language and serves the request in it; a response
/// that rendered text in it (every problem, GraphQL errors, guarantee reasons)
/// gets `Content-Language` and `Vary: Accept-Language`. Errors that reach this
/// point are turned into their responses here, in the request's language.
pub async fn negotiate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let lang = Lang::negotiate(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let scope = Scope {
        lang,
        rendered: Cell::new(false),
    };
    SCOPE
        .scope(scope, async move {
            let localize = |headers: &mut header::HeaderMap| {
                if SCOPE.with(|s| s.rendered.get()) {
                    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
                    headers.append(header::VARY, HeaderValue::from_static("accept-language"));
                }
            };
            match next.call(req).await {
                Ok(mut res) => {
                    localize(res.headers_mut());
                    Ok(res)
                }
                // Rendered here, in the request's language, and passed on as it is.
                Err(e) => {
                    let mut res = e.error_response();
                    localize(res.headers_mut());
                    Err(actix_web::error::InternalError::from_response(e.to_string(), res).into())
                }
            }
        })
        .await
}

/// The caller's language, for handlers that render text themselves.
impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(_: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(current()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Lang) -> BTreeSet<String> {
        _rust_i18n_backend()
            .messages_for_locale(lang.tag())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, _)| k.into_owned())
            .collect()
    }

    #[test]
    fn every_message_has_its_chinese_and_every_chinese_its_english() {
        let en = keys(Lang::En);
        let zh = keys(Lang::ZhCn);
        assert!(en.len() > 100, "the English file is loaded");
        let missing: Vec<_> = en.difference(&zh).collect();
        let extra: Vec<_> = zh.difference(&en).collect();
        assert!(missing.is_empty(), "no Chinese for {missing:?}");
        assert!(extra.is_empty(), "no English for {extra:?}");
    }

    #[test]
    fn both_translations_of_a_message_have_the_same_placeholders() {
        let placeholders = |s: &str| -> BTreeSet<String> {
            s.split("%{")
                .skip(1)
                .filter_map(|p| p.split_once('}'))
                // `%{x_label}` is the label of the argument `x`.
                .map(|(n, _)| n.strip_suffix("_label").unwrap_or(n).to_owned())
                .collect()
        };
        for key in keys(Lang::En) {
            let en = text_in(Lang::En, &key);
            let zh = text_in(Lang::ZhCn, &key);
            assert_eq!(placeholders(&en), placeholders(&zh), "{key}");
        }
    }

    /// Every `msg!("key")` of the code names an entry of the files.
    #[test]
    fn every_message_the_code_names_is_in_the_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let en = keys(Lang::En);
        let mut missing = Vec::new();
        let mut stack = vec![
            root.join("domain/src"),
            root.join("api/src"),
            root.join("persistence/src"),
        ];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for part in text.split("msg!(\"").skip(1) {
                        if let Some((key, _)) = part.split_once('"')
                            && !en.contains(key)
                            && key != "key"
                        {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in api/locales/en.yml: {missing:?}");
    }

    #[test]
    fn ranges_are_matched_to_the_languages_spoken() {
        for (header, lang) in [
            (None, Lang::En),
            (Some("zh"), Lang::ZhCn),
            (Some("zh-CN"), Lang::ZhCn),
            (Some("zh-Hans"), Lang::ZhCn),
            (Some("zh-Hans-CN"), Lang::ZhCn),
            (Some("ZH-cn"), Lang::ZhCn),
            (Some("zh-TW"), Lang::En),
            (Some("zh-Hant-HK"), Lang::En),
            (Some("fr"), Lang::En),
            (Some("en-GB"), Lang::En),
            (Some(""), Lang::En),
            (Some("fr;q=1, zh-CN;q=0.5"), Lang::ZhCn),
            (Some("en;q=0.4, zh-CN;q=0.8"), Lang::ZhCn),
            (Some("zh-CN;q=0.4, en;q=0.8"), Lang::En),
            (Some("zh-CN;q=0, fr"), Lang::En),
            (Some("en, zh-CN"), Lang::En),
            (Some("zh-CN;q=bad, en;q=0.1"), Lang::En),
        ] {
            assert_eq!(Lang::negotiate(header), lang, "{header:?}");
        }
    }

    #[test]
    fn english_titles_are_the_reason_phrases_and_every_title_has_its_chinese() {
        for key in keys(Lang::En).iter().filter_map(|k| k.strip_prefix("title.")) {
            let status = key
                .parse::<u16>()
                .ok()
                .and_then(|c| actix_web::http::StatusCode::from_u16(c).ok());
            let Some(status) = status else {
                panic!("title.{key} names no HTTP status");
            };
            assert_eq!(
                text_in(Lang::En, &format!("title.{key}")),
                status.canonical_reason().unwrap_or_default()
            );
        }
    }

    #[test]
    fn arguments_fill_their_placeholders_in_either_language() {
        let m = shouhu_domain::msg!("field.too_long", max = 50);
        assert_eq!(render_in(Lang::En, &m), "at most 50 characters");
        assert!(render_in(Lang::ZhCn, &m).contains("50"));
    }

    #[test]
    fn an_enumeration_value_reads_as_the_api_spells_it_or_as_its_label() {
        let m = shouhu_domain::msg!("region.wrong_level", expected = "township" => "enum.region_level", actual = "village" => "enum.region_level");
        assert_eq!(render_in(Lang::En, &m), "expected a township code, got a village");
        assert_eq!(render_in(Lang::ZhCn, &m), "应为乡镇级代码，实为村级代码");
    }
}

//! A chart README (Markdown) rendered to HTML that is safe to put in the catalog page: raw HTML
//! in the README is shown as text, links keep only harmless schemes, and images that would be
//! fetched from elsewhere become plain links, so the page never loads anything from outside.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::catalog_html::{is_data_image, safe_link};

/// Renders `markdown` to an HTML fragment. README text can never inject markup: raw HTML blocks
/// become code blocks, inline HTML becomes text, `javascript:` and other unknown-scheme links
/// point nowhere (`#`), and only `data:image/...` images are kept as images.
pub fn render_readme(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    // Images turned into links must close as links: remember, per open image, which it became.
    let mut open_images: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        Event::Start(Tag::HtmlBlock) => {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::from("html"))))
        }
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::CodeBlock),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(safe_link(&dest_url)),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = is_data_image(&dest_url);
            open_images.push(keep);
            if keep {
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            } else {
                Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: CowStr::from(safe_link(&dest_url)),
                    title,
                    id,
                })
            }
        }
        Event::End(TagEnd::Image) => {
            if open_images.pop().unwrap_or(false) {
                Event::End(TagEnd::Image)
            } else {
                Event::End(TagEnd::Link)
            }
        }
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let html = render_readme(
            "# Title\n\nSome *text* and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>text</em>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = render_readme(
            "<script>alert(1)</script>\n\ntext <img src=x onerror=alert(2)> more\n\n<div onclick=\"x()\">block</div>\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn dangerous_links_point_nowhere() {
        let html = render_readme(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) [d](https://ok.example/) [e](docs/x.md) [f](#usage)\n",
        );
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(html.contains("href=\"https://ok.example/\""), "{html}");
        assert!(html.contains("href=\"docs/x.md\""), "{html}");
        assert!(html.contains("href=\"#usage\""), "{html}");
        assert_eq!(html.matches("href=\"#\"").count(), 3, "{html}");
    }

    #[test]
    fn remote_images_become_links() {
        let html = render_readme(
            "![logo](https://example.com/logo.png) ![dot](data:image/png;base64,iVBORw0KGgo=)\n",
        );
        assert!(
            html.contains("<a href=\"https://example.com/logo.png\">logo</a>"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"dot\""),
            "{html}"
        );
        assert_eq!(html.matches("<img").count(), 1, "{html}");
    }
}

//! S3 over its REST XML API: `ListObjectsV2` (paged by continuation token)
//! and object downloads. Buckets are addressed virtual-host style on AWS and
//! path style on an overridden endpoint.

use anyhow::{Context, bail};
use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::{Method, Url};

use super::Client;
use super::sigv4::uri_encode;

/// One listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    /// Seconds since the epoch.
    pub last_modified: i64,
}

/// One `ListObjectsV2` page: its objects and the token of the next page.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub objects: Vec<Object>,
    pub next: Option<String>,
}

/// Parses a `ListBucketResult` document.
pub fn parse_list(xml: &str) -> anyhow::Result<Page> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut page = Page::default();
    let mut text = String::new();
    let (mut key, mut modified) = (String::new(), 0);
    loop {
        match reader
            .read_event()
            .context("invalid ListObjectsV2 response")?
        {
            Event::Start(e) => {
                path.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode()?),
            Event::GeneralRef(r) => {
                let name = r.decode()?;
                match (
                    r.resolve_char_ref()?,
                    quick_xml::escape::resolve_xml_entity(&name),
                ) {
                    (Some(c), _) => text.push(c),
                    (None, Some(s)) => text.push_str(s),
                    (None, None) => bail!("unknown XML entity &{name};"),
                }
            }
            Event::End(_) => {
                match path.join("/").as_str() {
                    "ListBucketResult/Contents/Key" => key = text.clone(),
                    "ListBucketResult/Contents/LastModified" => {
                        let at: jiff::Timestamp = text.parse().context("invalid LastModified")?;
                        modified = at.as_second();
                    }
                    "ListBucketResult/Contents" => page.objects.push(Object {
                        key: std::mem::take(&mut key),
                        last_modified: modified,
                    }),
                    "ListBucketResult/NextContinuationToken" => page.next = Some(text.clone()),
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Event::Eof => return Ok(page),
            _ => {}
        }
    }
}

impl Client {
    /// The URL of a bucket, or of an object in it.
    fn s3_url(&self, bucket: &str, key: &str) -> anyhow::Result<Url> {
        let key = uri_encode(key, true);
        let url = match self.endpoint("s3") {
            (base, true) => format!("{base}/{bucket}/{key}"),
            (_, false) => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", self.region),
        };
        Ok(Url::parse(&url)?)
    }

    /// Every object of a bucket.
    pub async fn s3_objects(&self, bucket: &str) -> anyhow::Result<Vec<Object>> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = self.s3_url(bucket, "")?;
            url.query_pairs_mut().append_pair("list-type", "2");
            if let Some(t) = &token {
                url.query_pairs_mut().append_pair("continuation-token", t);
            }
            let body = self.send("s3", Method::GET, url, vec![], vec![]).await?;
            let page = parse_list(&String::from_utf8_lossy(&body))?;
            objects.extend(page.objects);
            token = page.next;
            if token.is_none() {
                return Ok(objects);
            }
        }
    }

    /// The content of one object.
    pub async fn s3_get(&self, bucket: &str, key: &str) -> anyhow::Result<Vec<u8>> {
        let url = self.s3_url(bucket, key)?;
        self.send("s3", Method::GET, url, vec![], vec![]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_page_is_parsed() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>
  <Contents><Key>a&amp;b/c.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"x"</ETag><Size>434</Size></Contents>
  <Contents><Key>d/</Key><LastModified>2009-10-12T17:50:31.000Z</LastModified></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>"#;
        let page = parse_list(xml).unwrap();
        assert_eq!(
            page.objects,
            [
                Object {
                    key: "a&b/c.txt".into(),
                    last_modified: 1_255_369_830
                },
                Object {
                    key: "d/".into(),
                    last_modified: 1_255_369_831
                }
            ]
        );
        assert_eq!(
            page.next.as_deref(),
            Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        );
    }
}

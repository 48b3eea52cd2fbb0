//! Pages of a list page: which slice of the filtered rows a page shows, and
//! the links to its neighbours, which keep the page's filters.

use super::format::url_encode;

/// Rows a list page shows at most.
pub const PER_PAGE: usize = 50;

/// Where a page is among the pages of its list.
#[derive(Debug, Clone, PartialEq)]
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// The filters as a query string (`name=x&type=K8S`), kept in the links.
    filters: String,
}

impl Pager {
    /// Page `page` (from 1; past the end means the last) of `rows`, `per_page`
    /// at a time, and the pager that goes with it.
    pub fn slice<T>(
        rows: Vec<T>,
        page: Option<usize>,
        per_page: usize,
        filters: &[(&str, &str)],
    ) -> (Vec<T>, Pager) {
        let total = rows.len();
        let pages = total.div_ceil(per_page).max(1);
        let page = page.unwrap_or(1).clamp(1, pages);
        let shown = rows
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let filters = filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let pager = Pager {
            page,
            pages,
            total,
            filters,
        };
        (shown, pager)
    }

    /// The address of page `n` with the same filters.
    pub fn link(&self, n: usize) -> String {
        if self.filters.is_empty() {
            format!("?page={n}")
        } else {
            format!("?{}&page={n}", self.filters)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_slice_and_links_keep_the_filters() {
        let (rows, pager) = Pager::slice((1..=120).collect(), Some(3), 50, &[("name", "a b")]);
        assert_eq!(rows, (101..=120).collect::<Vec<_>>());
        assert_eq!((pager.page, pager.pages, pager.total), (3, 3, 120));
        assert_eq!(pager.link(2), "?name=a%20b&page=2");
    }

    #[test]
    fn pages_past_the_end_show_the_last_and_empty_filters_are_left_out() {
        let (rows, pager) = Pager::slice(vec![1, 2], Some(9), 50, &[("name", "")]);
        assert_eq!((rows, pager.page, pager.pages), (vec![1, 2], 1, 1));
        assert_eq!(pager.link(1), "?page=1");
        let (none, pager) = Pager::slice(Vec::<u8>::new(), None, 50, &[]);
        assert!(none.is_empty());
        assert_eq!((pager.page, pager.pages), (1, 1));
    }
}

//! The list window: only the rows on screen are loaded, by keyset pages
//! around them, so moving stays instant however many tickets there are.

use crate::desk::Desk;
use crate::store::{ListFilter, ListRow, Page, Sort, StoreError};

/// What the window pages over.
pub struct Source<'a> {
    pub store: &'a Desk,
    pub filter: &'a ListFilter,
    pub sort: Sort,
}

impl Source<'_> {
    fn page(&self, at: Page, limit: usize) -> Result<Vec<ListRow>, StoreError> {
        self.store.page(self.filter, self.sort, &at, limit.max(1))
    }
}

#[derive(Debug, Default)]
pub struct Pager {
    /// The visible rows, top to bottom.
    pub rows: Vec<ListRow>,
    /// Index of the selected row in `rows`.
    pub cursor: usize,
    /// Rows the screen shows (at least 1, so there is always a selection).
    pub height: usize,
}

type R = Result<(), StoreError>;

impl Pager {
    pub fn selected(&self) -> Option<&ListRow> {
        self.rows.get(self.cursor)
    }

    fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    pub fn first(&mut self, src: &Source) -> R {
        self.rows = src.page(Page::First, self.height)?;
        self.cursor = 0;
        Ok(())
    }

    pub fn last(&mut self, src: &Source) -> R {
        self.rows = src.page(Page::Last, self.height)?;
        self.cursor = self.rows.len().saturating_sub(1);
        Ok(())
    }

    pub fn down(&mut self, src: &Source) -> R {
        if self.cursor + 1 < self.rows.len() {
            self.cursor += 1;
        } else if let Some(last) = self.rows.last() {
            let more = src.page(Page::After(last.key(src.sort)), 1)?;
            if !more.is_empty() {
                self.rows.extend(more);
                self.trim_front();
            }
            self.cursor = self.rows.len().saturating_sub(1);
        }
        Ok(())
    }

    pub fn up(&mut self, src: &Source) -> R {
        if self.cursor > 0 {
            self.cursor -= 1;
        } else if let Some(first) = self.rows.first() {
            let mut more = src.page(Page::Before(first.key(src.sort)), 1)?;
            if !more.is_empty() {
                more.append(&mut self.rows);
                self.rows = more;
                self.rows.truncate(self.height.max(1));
            }
            self.cursor = 0;
        }
        Ok(())
    }

    pub fn page_down(&mut self, src: &Source) -> R {
        let h = self.height.max(1);
        let Some(last) = self.rows.last() else {
            return Ok(());
        };
        let more = src.page(Page::After(last.key(src.sort)), h)?;
        let got = more.len();
        self.rows.extend(more);
        self.trim_front();
        // Fewer rows than a page left: the cursor travels the rest of the way.
        self.cursor += h - got;
        self.clamp();
        Ok(())
    }

    pub fn page_up(&mut self, src: &Source) -> R {
        let h = self.height.max(1);
        let Some(first) = self.rows.first() else {
            return Ok(());
        };
        let mut more = src.page(Page::Before(first.key(src.sort)), h)?;
        let got = more.len();
        more.append(&mut self.rows);
        self.rows = more;
        self.rows.truncate(h);
        self.cursor = self.cursor.saturating_sub(h - got);
        self.clamp();
        Ok(())
    }

    fn trim_front(&mut self) {
        let h = self.height.max(1);
        if self.rows.len() > h {
            let drop = self.rows.len() - h;
            self.rows.drain(..drop);
        }
    }

    /// Reloads the window from the same top row, keeping `keep` selected if it
    /// is still there (else the same screen line), and refills from above when
    /// rows went away at the end.
    pub fn reload(&mut self, src: &Source, keep: Option<&str>) -> R {
        let h = self.height.max(1);
        let start = match self.rows.first() {
            None => Page::First,
            Some(top) => match src.page(Page::Before(top.key(src.sort)), 1)?.pop() {
                Some(prev) => Page::After(prev.key(src.sort)),
                None => Page::First,
            },
        };
        let mut rows = src.page(start, h)?;
        if rows.len() < h {
            let before = match rows.first() {
                Some(top) => Page::Before(top.key(src.sort)),
                None => Page::Last,
            };
            let mut more = src.page(before, h - rows.len())?;
            self.cursor += more.len();
            more.append(&mut rows);
            rows = more;
        }
        self.rows = rows;
        if let Some(i) = keep.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            self.cursor = i;
        }
        self.clamp();
        Ok(())
    }

    /// A new screen height: keep the selection in view, fill new space.
    pub fn resize(&mut self, src: &Source, height: usize) -> R {
        let height = height.max(1);
        if height == self.height {
            return Ok(());
        }
        self.height = height;
        if self.rows.len() > height {
            let keep_top = (self.cursor + 1).saturating_sub(height);
            self.rows.drain(..keep_top);
            self.rows.truncate(height);
            self.cursor -= keep_top;
            return Ok(());
        }
        let keep = self.selected().map(|r| r.id.clone());
        self.reload(src, keep.as_deref())
    }

    /// A window showing `row` selected, as near the middle as the rows
    /// around it allow.
    pub fn around(&mut self, src: &Source, row: ListRow) -> R {
        let h = self.height.max(1);
        let key = row.key(src.sort);
        let mut before = src.page(Page::Before(key.clone()), (h - 1) / 2)?;
        let after = src.page(Page::After(key.clone()), h - 1 - before.len())?;
        let short = h - 1 - before.len() - after.len();
        if short > 0 && !before.is_empty() {
            before = src.page(Page::Before(key), h - 1 - after.len())?;
        }
        self.cursor = before.len();
        before.push(row);
        before.extend(after);
        before.truncate(h);
        self.rows = before;
        Ok(())
    }
}

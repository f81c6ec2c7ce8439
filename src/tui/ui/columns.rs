//! Table columns sized by their content: each column asks for the display
//! width of its widest visible cell; columns of low priority go first when
//! the terminal is narrow, flexible ones (names, reasons) give way before
//! any fixed one (amounts, states, dates) is cut.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub title: &'static str,
    /// Lower numbers stay longest.
    pub priority: u8,
    /// Takes the room left over; shrinks to `min` before others are cut.
    pub flexible: bool,
    pub min: usize,
    /// A flexible column's width for judging which columns fit: a name
    /// that readable is worth more than a low-priority column.
    pub comfort: usize,
    pub max: usize,
    pub align: Align,
    /// The widest cell (title included), set from the rows on screen.
    pub need: usize,
}

impl Column {
    pub fn new(title: &'static str, priority: u8) -> Column {
        Column {
            title,
            priority,
            flexible: false,
            min: 1,
            comfort: 1,
            max: usize::MAX,
            align: Align::Left,
            need: crate::text::width(title),
        }
    }

    pub fn flex(mut self, min: usize, comfort: usize) -> Column {
        self.flexible = true;
        self.min = min;
        self.comfort = comfort;
        self
    }

    pub fn max(mut self, max: usize) -> Column {
        self.max = max;
        self
    }

    pub fn align(mut self, a: Align) -> Column {
        self.align = a;
        self
    }

    fn want(&self) -> usize {
        self.need.min(self.max)
    }

    /// What the column takes before spare room is shared out.
    fn base(&self) -> usize {
        if self.flexible {
            self.min.min(self.want())
        } else {
            self.want()
        }
    }
}

/// (column index, width) of the columns shown in `total` cells, in order.
/// Each column is followed by one space.
pub fn fit_columns(cols: &[Column], total: usize) -> Vec<(usize, usize)> {
    let used = |keep: u8| -> usize {
        cols.iter()
            .filter(|c| c.priority <= keep)
            .map(|c| match c.flexible {
                true => c.comfort.min(c.want()).max(c.base()) + 1,
                false => c.base() + 1,
            })
            .sum()
    };
    let top = cols.iter().map(|c| c.priority).max().unwrap_or(0);
    let keep = (0..=top).rev().find(|&p| used(p) <= total).unwrap_or(0);
    let mut shown: Vec<(usize, usize)> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.priority <= keep)
        .map(|(i, c)| (i, c.base()))
        .collect();
    let sum = |s: &[(usize, usize)]| s.iter().map(|(_, w)| w + 1).sum::<usize>();
    let mut spare = total.saturating_sub(sum(&shown));
    // Spare room: first to flexible columns up to what their cells need,
    // then whatever is left to the first flexible column.
    for (i, w) in shown.iter_mut() {
        let c = &cols[*i];
        if c.flexible && spare > 0 {
            let more = c.want().saturating_sub(*w).min(spare);
            *w += more;
            spare -= more;
        }
    }
    if let Some((_, w)) = shown.iter_mut().find(|(i, _)| cols[*i].flexible) {
        *w += spare;
    }
    // Too narrow even for the essentials: cut the widest columns, never
    // below their title's first few cells.
    while sum(&shown) > total {
        let Some((_, w)) = shown
            .iter_mut()
            .filter(|(_, w)| *w > 3)
            .max_by_key(|(_, w)| *w)
        else {
            break;
        };
        *w -= 1;
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_columns_keep_their_content_width_and_the_flexible_one_gives_way() {
        let mut cols = vec![
            Column::new("ID", 0),
            Column::new("CUSTOMER", 0).flex(8, 8),
            Column::new("VERDICT", 0),
            Column::new("RECEIVED", 2),
        ];
        cols[0].need = 10;
        cols[1].need = 30;
        cols[2].need = 19;
        cols[3].need = 11;
        let at = |w| fit_columns(&cols, w);
        assert_eq!(at(200), vec![(0, 10), (1, 30 + 200 - 74), (2, 19), (3, 11)]);
        assert_eq!(at(60), vec![(0, 10), (1, 16), (2, 19), (3, 11)]);
        assert_eq!(at(45), vec![(0, 10), (1, 13), (2, 19)]);
        assert_eq!(at(40), vec![(0, 10), (1, 8), (2, 19)]);
        assert!(at(20).iter().map(|c| c.1 + 1).sum::<usize>() <= 20);
    }
}

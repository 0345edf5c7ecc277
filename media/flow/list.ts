// A virtualised, keyboard-driven list: only the rows in view (plus a few) exist in
// the DOM, so 100,000 connections cost the same to show as 30. Rows have a fixed
// height; a spacer gives the scrollbar its full length.

export interface VirtualListOptions {
  rowHeight: number;
  /** Fill a (recycled) row element for item `index` of the current items. */
  renderRow(row: HTMLElement, index: number): void;
  /** Selection moved (arrow keys, click). */
  onSelect(index: number): void;
  /** Enter or double click. */
  onOpen(index: number): void;
  label: string;
}

const OVERSCAN = 6;

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement[] = [];
  private count = 0;
  private selected = -1;
  private frame = 0;

  constructor(private readonly opts: VirtualListOptions) {
    this.element = document.createElement('div');
    this.element.className = 'vlist';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'listbox');
    this.element.setAttribute('aria-label', opts.label);
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.element.appendChild(this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('click', (e) => {
      const i = this.indexOfEvent(e);
      if (i >= 0) this.select(i);
    });
    this.element.addEventListener('dblclick', (e) => {
      const i = this.indexOfEvent(e);
      if (i >= 0) opts.onOpen(i);
    });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  /** Replace the items (by count: rows are rendered by index on demand). */
  setCount(count: number, selected = -1): void {
    this.count = count;
    this.selected = Math.min(selected, count - 1);
    this.spacer.style.height = `${count * this.opts.rowHeight}px`;
    this.render();
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  set scrollTop(v: number) {
    this.element.scrollTop = v;
    this.render();
  }

  select(index: number, reveal = true): void {
    if (this.count === 0) return;
    const i = Math.max(0, Math.min(this.count - 1, index));
    this.selected = i;
    if (reveal) this.reveal(i);
    this.render();
    this.opts.onSelect(i);
  }

  /** Re-render the rows in view (after the data behind them changed). */
  refresh(): void {
    this.render();
  }

  private reveal(i: number): void {
    const h = this.opts.rowHeight;
    const top = i * h;
    const view = this.element.clientHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + h > this.element.scrollTop + view) this.element.scrollTop = top + h - view;
  }

  private pageSize(): number {
    return Math.max(1, Math.floor(this.element.clientHeight / this.opts.rowHeight) - 1);
  }

  private onKey(e: KeyboardEvent): void {
    const moves: Record<string, number | undefined> = {
      ArrowDown: this.selected + 1,
      ArrowUp: this.selected - 1,
      PageDown: this.selected + this.pageSize(),
      PageUp: this.selected - this.pageSize(),
      Home: 0,
      End: this.count - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      this.select(this.selected < 0 && e.key === 'ArrowDown' ? 0 : target);
    } else if ((e.key === 'Enter' || e.key === ' ') && this.selected >= 0) {
      e.preventDefault();
      this.opts.onOpen(this.selected);
    }
  }

  private indexOfEvent(e: Event): number {
    const row = (e.target as Element).closest<HTMLElement>('.vlist-row');
    return row?.dataset.index ? Number(row.dataset.index) : -1;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const h = this.opts.rowHeight;
    const view = this.element.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.element.scrollTop / h) - OVERSCAN);
    const last = Math.min(this.count, Math.ceil((this.element.scrollTop + view) / h) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.rows.length < needed) {
      const row = document.createElement('div');
      row.className = 'vlist-row';
      row.setAttribute('role', 'option');
      this.element.appendChild(row);
      this.rows.push(row);
    }
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      const index = first + r;
      if (r >= needed) {
        // Out of use: hidden (the stylesheet must not show it) and no longer any row's.
        row.hidden = true;
        row.removeAttribute('id');
        delete row.dataset.index;
        row.classList.remove('selected');
        continue;
      }
      row.hidden = false;
      row.style.transform = `translateY(${index * h}px)`;
      row.id = `row-${index}`;
      row.dataset.index = String(index);
      const isSel = index === this.selected;
      row.classList.toggle('selected', isSel);
      row.setAttribute('aria-selected', String(isSel));
      row.setAttribute('aria-posinset', String(index + 1));
      row.setAttribute('aria-setsize', String(this.count));
      this.opts.renderRow(row, index);
    }
    if (this.selected >= 0 && this.selected >= first && this.selected < last) {
      this.element.setAttribute('aria-activedescendant', `row-${this.selected}`);
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }
}

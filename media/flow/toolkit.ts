// The only module that knows about @vscode/webview-ui-toolkit. The toolkit is
// deprecated upstream (FAST Foundation was); everything else builds controls
// through these functions, so swapping it for @vscode-elements/elements or plain
// themed HTML means rewriting this file only.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerControls(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField(), vsCodeBadge());
}

export interface Choice {
  value: string;
  label: string;
}

export interface Dropdown {
  element: HTMLElement;
  value: string;
  setChoices(choices: Choice[], selected: string): void;
}

/** A labelled dropdown; `onChange` gets the selected value. */
export function dropdown(id: string, label: string, onChange: (value: string) => void): Dropdown {
  const select = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  select.id = id;
  select.setAttribute('aria-label', label);
  select.setAttribute('title', label);
  select.addEventListener('change', () => onChange(select.value));
  return {
    element: select,
    get value() {
      return select.value;
    },
    set value(v: string) {
      select.value = v;
    },
    setChoices(choices, selected) {
      while (select.firstChild) select.removeChild(select.firstChild);
      for (const c of choices) {
        const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
        opt.setAttribute('value', c.value);
        opt.textContent = c.label;
        if (c.value === selected) opt.setAttribute('selected', '');
        select.appendChild(opt);
      }
      select.value = selected;
    },
  };
}

export interface TextField {
  element: HTMLElement;
  value: string;
  focus(): void;
}

/** A text field named `placeholder` for screen readers. The toolkit's text field sets its
 *  aria-label from its text content each time it is connected ("Text field" when it has
 *  none), overwriting one set before: the name goes in as its label, which the stylesheet
 *  hides (`.label-hidden`; the placeholder says the same on screen). */
export function textField(id: string, placeholder: string, onInput: (value: string) => void): TextField {
  const field = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  field.id = id;
  field.className = 'label-hidden';
  field.setAttribute('placeholder', placeholder);
  field.setAttribute('aria-label', placeholder);
  field.appendChild(document.createTextNode(placeholder));
  field.addEventListener('input', () => onInput(field.value));
  return {
    element: field,
    get value() {
      return field.value;
    },
    set value(v: string) {
      field.value = v;
    },
    focus: () => field.focus(),
  };
}

export function button(text: string, onClick: () => void, appearance: 'primary' | 'secondary' | 'icon' = 'secondary'): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('appearance', appearance);
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

export function badge(text: string): HTMLElement {
  const b = document.createElement('vscode-badge');
  b.textContent = text;
  return b;
}

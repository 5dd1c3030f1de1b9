// Light/dark theme: follows prefers-color-scheme unless the person picked one.

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_KEY = 'peerdrop.theme';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadTheme(storage: StorageLike | null): ThemeChoice {
  const value = storage?.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function saveTheme(storage: StorageLike | null, choice: ThemeChoice): void {
  if (!storage) return;
  if (choice === 'system') storage.removeItem(THEME_KEY);
  else storage.setItem(THEME_KEY, choice);
}

/** The next choice of the toggle: system → the opposite of what the system shows → back to the system's. */
export function nextTheme(choice: ThemeChoice, systemDark: boolean): ThemeChoice {
  const effective = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  const flipped = effective === 'dark' ? 'light' : 'dark';
  return flipped === (systemDark ? 'dark' : 'light') ? 'system' : flipped;
}

export function effectiveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

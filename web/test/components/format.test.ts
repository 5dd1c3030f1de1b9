import { describe, expect, it } from 'vitest';
import { displayName } from '../../src/components/format';

describe('displayName', () => {
  it('removes the bidi overrides and isolates that disguise a name', () => {
    expect(displayName('photo\u202Egpj.exe')).toBe('photogpj.exe');
    expect(displayName('\u2066a\u2069b\u202Ac\u202C')).toBe('abc');
  });

  it('removes C0 and C1 controls and DEL, as the daemon does when it stores the name', () => {
    expect(displayName('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009bg')).toBe('abcdefg');
  });

  it('shows a lone surrogate as U+FFFD and keeps pairs, accents and other scripts', () => {
    expect(displayName('lone\ud800surrogate')).toBe('lone\ufffdsurrogate');
    expect(displayName('x\udc00')).toBe('x\ufffd');
    expect(displayName('😀 café 写真.jpg')).toBe('😀 café 写真.jpg');
  });
});

/**
 * What a challenge signature may cover — exactly one of:
 *   1. the raw nonce bytes;
 *   2. the challenge's text (libs/contracts challengeTextToSign: the base64
 *      nonce and SITE_NAME) encoded as UTF-8, or as EUC-KR for older clients;
 *   3. the site's CHALLENGE_TEMPLATE (a vendor flow), matched against the
 *      whole signed content.
 * Nothing looser: no trimming, no case folding, no other encoding of the
 * nonce (base64url, hex), no prefix or substring match.
 *
 * Template grammar (CHALLENGE_TEMPLATE):
 *   template  = *( literal / "{nonce}" / "{*}" )     ; {nonce} exactly once
 *   literal   = any character except "{" and "}", or "{{" (a "{") or "}}" (a "}")
 *   {nonce}   = the challenge nonce, standard base64 with padding, as issued
 *   {*}       = any text, possibly empty (e.g. a form's other fields)
 * Any other use of a brace is a configuration error at boot. The signed
 * content is read as UTF-8 (strict), or else as EUC-KR when the bytes are a
 * faithful EUC-KR encoding; the template must match the whole text. Matching is
 * a linear-time glob (literal runs found left to right), no regular
 * expressions, so a long hostile content cannot make it slow.
 */
import iconv from 'iconv-lite';
import { challengeTextToSign } from '@jointcert/contracts';

export type ContentForm = 'nonce' | 'text-utf8' | 'text-euc-kr' | 'template';

type Token = { kind: 'literal'; text: string } | { kind: 'nonce' } | { kind: 'any' };

export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
}

/** Longest signed text a template is matched against (characters). */
export const MAX_TEMPLATE_CONTENT = 64 * 1024;

export class ChallengeTemplate {
  private constructor(
    readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  static parse(source: string): ChallengeTemplate {
    const tokens: Token[] = [];
    let lit = '';
    let nonces = 0;
    const flush = (): void => {
      if (lit) tokens.push({ kind: 'literal', text: lit });
      lit = '';
    };
    for (let i = 0; i < source.length; ) {
      if (source.startsWith('{{', i)) {
        lit += '{';
        i += 2;
      } else if (source.startsWith('}}', i)) {
        lit += '}';
        i += 2;
      } else if (source.startsWith('{nonce}', i)) {
        flush();
        tokens.push({ kind: 'nonce' });
        nonces++;
        i += 7;
      } else if (source.startsWith('{*}', i)) {
        flush();
        if (tokens.at(-1)?.kind !== 'any') tokens.push({ kind: 'any' });
        i += 3;
      } else if (source[i] === '{' || source[i] === '}') {
        throw new TemplateSyntaxError(`CHALLENGE_TEMPLATE: unexpected "${source[i]}" at ${i} (use {nonce}, {*}, {{ or }})`);
      } else {
        lit += source[i];
        i++;
      }
    }
    flush();
    if (nonces !== 1) throw new TemplateSyntaxError(`CHALLENGE_TEMPLATE must contain {nonce} exactly once (found ${nonces})`);
    return new ChallengeTemplate(source, tokens);
  }

  /** The template's text for a nonce when it has no {*} (then a detached signature over it can be checked); else undefined. */
  fixedText(nonceBase64: string): string | undefined {
    if (this.tokens.some((t) => t.kind === 'any')) return undefined;
    return this.tokens.map((t) => (t.kind === 'nonce' ? nonceBase64 : t.kind === 'literal' ? t.text : '')).join('');
  }

  /** Does the whole `text` match, with {nonce} = `nonceBase64`? */
  matches(text: string, nonceBase64: string): boolean {
    if (text.length > MAX_TEMPLATE_CONTENT) return false;
    // segments of literal text separated by {*}
    const segments: string[] = [''];
    for (const t of this.tokens) {
      if (t.kind === 'any') segments.push('');
      else segments[segments.length - 1] += t.kind === 'nonce' ? nonceBase64 : t.text;
    }
    if (segments.length === 1) return text === segments[0];
    const first = segments[0]!;
    const last = segments[segments.length - 1]!;
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
    let pos = first.length;
    const end = text.length - last.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const seg = segments[i]!;
      const at = text.indexOf(seg, pos);
      if (at < 0 || at + seg.length > end) return false;
      pos = at + seg.length;
    }
    return true;
  }
}

export interface ContentCandidate {
  form: ContentForm;
  bytes: Buffer;
}

export interface ContentRules {
  siteName: string;
  template?: ChallengeTemplate;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8, else a faithful EUC-KR reading (re-encodes to the same bytes), else undefined. */
export function decodeSignedText(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = iconv.decode(b, 'euc-kr');
    return iconv.encode(text, 'euc-kr').equals(b) ? text : undefined;
  }
}

/** The EUC-KR bytes of `text`, or undefined when it has characters EUC-KR lacks. */
function eucKr(text: string): Buffer | undefined {
  const b = iconv.encode(text, 'euc-kr');
  return iconv.decode(b, 'euc-kr') === text ? b : undefined;
}

/** The accepted contents of one challenge, and the rule that tells which (if any) a signed content is. */
export class ChallengeContent {
  private readonly nonceBase64: string;
  private built?: readonly ContentCandidate[];

  constructor(
    private readonly nonce: Buffer,
    private readonly rules: ContentRules,
  ) {
    this.nonceBase64 = nonce.toString('base64');
  }

  /**
   * Every exact content accepted, built on first use: a client signing the
   * raw nonce (the common case) never pays for the text forms (EUC-KR
   * encoding included).
   */
  get candidates(): readonly ContentCandidate[] {
    return (this.built ??= this.build());
  }

  private build(): readonly ContentCandidate[] {
    const text = challengeTextToSign(this.nonceBase64, this.rules.siteName);
    const candidates: ContentCandidate[] = [
      { form: 'nonce', bytes: this.nonce },
      { form: 'text-utf8', bytes: Buffer.from(text, 'utf8') },
    ];
    const euc = eucKr(text);
    if (euc && !euc.equals(candidates[1]!.bytes)) candidates.push({ form: 'text-euc-kr', bytes: euc });
    const fixed = this.rules.template?.fixedText(this.nonceBase64);
    if (fixed !== undefined) candidates.push({ form: 'template', bytes: Buffer.from(fixed, 'utf8') });
    return candidates;
  }

  /** Which accepted form `content` is, or undefined. */
  formOf(content: Uint8Array): ContentForm | undefined {
    if (this.nonce.equals(content)) return 'nonce';
    for (const c of this.candidates) if (c.bytes.equals(content)) return c.form;
    const template = this.rules.template;
    if (template && content.length <= MAX_TEMPLATE_CONTENT * 4) {
      const text = decodeSignedText(content);
      if (text !== undefined && template.matches(text, this.nonceBase64)) return 'template';
    }
    return undefined;
  }
}

/**
 * The demo chat's composer: a text field (Enter sends, Shift+Enter is a new line), buttons that
 * insert a common face as `[face:<id>]` at the cursor, an image from a file picker (at most
 * 5 MiB, sent as base64), and Send. It hands segments to `onSend` and clears itself when the
 * send succeeded.
 */
import { useRef, useState } from 'preact/hooks';
import { FACES, MAX_IMAGE_BYTES, type OutSegment, toSegments } from './chat-model.js';

export interface ChatComposerProps {
  disabled: boolean;
  /** Resolves true when sent (the draft is cleared), false when refused (it stays). */
  onSend: (segments: OutSegment[]) => Promise<boolean>;
}

interface Attached {
  name: string;
  size: number;
  base64: string;
}

/** The file's bytes as base64 (without the `data:` prefix). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

export function ChatComposer({ disabled, onSend }: ChatComposerProps) {
  const text = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState('');
  const [image, setImage] = useState<Attached | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const insertFace = (id: string) => {
    const el = text.current;
    const token = `[face:${id}]`;
    const at = el?.selectionStart ?? draft.length;
    const end = el?.selectionEnd ?? draft.length;
    setDraft(draft.slice(0, at) + token + draft.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (!file.type.startsWith('image/')) return setProblem(`${file.name} is not an image.`);
    if (file.size > MAX_IMAGE_BYTES)
      return setProblem(`${file.name} is over ${MAX_IMAGE_BYTES / 1024 / 1024} MiB.`);
    try {
      setImage({ name: file.name, size: file.size, base64: await readBase64(file) });
      setProblem(null);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  const segments = toSegments(draft, image?.base64);
  const empty = draft.trim() === '' && !image;

  const send = async () => {
    if (empty || sending || disabled) return;
    setSending(true);
    try {
      if (await onSend(segments)) {
        setDraft('');
        setImage(null);
      }
    } finally {
      setSending(false);
      text.current?.focus();
    }
  };

  return (
    <form
      class="composer"
      aria-label="Send a message"
      onSubmit={e => {
        e.preventDefault();
        void send();
      }}
    >
      <div class="faces" role="group" aria-label="Faces">
        {FACES.map(([id, name]) => (
          <button
            key={id}
            type="button"
            class="small"
            aria-label={`Insert face ${name}`}
            title={`[face:${id}] ${name}`}
            onClick={() => insertFace(id)}
          >
            {name}
          </button>
        ))}
      </div>
      <label for="chat-text" class="visually-hidden">
        Message
      </label>
      <textarea
        id="chat-text"
        ref={text}
        rows={2}
        placeholder="Message (Enter sends, Shift+Enter for a new line)"
        value={draft}
        onInput={e => setDraft(e.currentTarget.value)}
        onKeyDown={e => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <div class="buttons">
        <label class="file-button">
          <input
            ref={picker}
            type="file"
            accept="image/*"
            class="visually-hidden"
            onChange={e => void pick(e.currentTarget)}
          />
          <span>Attach image</span>
        </label>
        {image && (
          <span class="attached small">
            {image.name} ({Math.ceil(image.size / 1024)} KiB){' '}
            <button
              type="button"
              class="small"
              aria-label={`Remove image ${image.name}`}
              onClick={() => setImage(null)}
            >
              ×
            </button>
          </span>
        )}
        <button type="submit" class="primary" disabled={empty || sending || disabled}>
          Send
        </button>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

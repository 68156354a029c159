/**
 * Design Studio: a tree of folders, and the emails and components in it (each at the root or in one folder), with
 * UUID ids. Like the other lists, each advance of the clock edits a share of each kind (`updated` moves to the new
 * time, and an email's content with it) and the first advance deletes one email and one component; folders are never
 * deleted (deleting one deletes everything in it). The listing itself (filters, order, pages) is routes/design-studio.ts.
 */
import { pick, tagOf, uuidLike } from '../hash.js';
import { type Core, ListSet } from './core.js';

type Json = Record<string, unknown>;

/** What a Design Studio listing lists. */
export type DesignStudioKind = 'folders' | 'emails' | 'components';

/** Where an item is: -1 for the root, else the index of its folder. */
export type Place = number;

const FOLDER_NAMES = ['Newsletters', 'Onboarding', 'Transactional', 'Archive', 'Seasonal', 'Drafts', 'Partners'];
const EMAIL_NAMES = ['Welcome', 'Password reset', 'Weekly digest', 'Trial ending', 'Receipt', 'Win-back', 'Survey', 'Launch'];
const COMPONENT_NAMES = ['Footer', 'Header', 'Button', 'Product card', 'Social links', 'Legal'];

export class DesignStudio {
  readonly folders: ListSet;
  readonly emails: ListSet;
  readonly components: ListSet;
  private readonly byUuid = new Map<string, number>();

  constructor(private readonly core: Core) {
    const s = core.sizes;
    const plus1 = (j: number) => j + 1;
    const minus1 = (id: number) => id - 1;
    this.folders = new ListSet(core, 'design_studio_folders', s.designStudioFolders, plus1, minus1, { kept: true });
    this.emails = new ListSet(core, 'design_studio_emails', s.designStudioEmails, plus1, minus1);
    this.components = new ListSet(core, 'design_studio_components', s.designStudioComponents, plus1, minus1);
    for (let j = 0; j < this.folders.count; j++) this.byUuid.set(this.folderId(j), j);
  }

  set(kind: DesignStudioKind): ListSet {
    return kind === 'folders' ? this.folders : kind === 'emails' ? this.emails : this.components;
  }

  /** The UUID of item j of a kind. */
  uuid(kind: DesignStudioKind, j: number): string {
    return uuidLike(this.core.seed, tagOf(`design_studio_${kind}`), j);
  }

  folderId(j: number): string {
    return this.uuid('folders', j);
  }

  /** The index of a folder by its UUID, or -1. */
  folderIndex(uuid: string): number {
    return this.byUuid.get(uuid) ?? -1;
  }

  /**
   * Where item j is: folders 0 and (from 2 folders) 1 make a nested pair (folder 1 inside folder 0), the others sit
   * at the root or in an earlier folder (so the tree has no cycle); emails and components go anywhere, email 0 at the
   * root and email 1 in the nested folder.
   */
  placeOf(kind: DesignStudioKind, j: number): Place {
    const folders = this.folders.count;
    if (kind === 'folders') {
      if (j === 0) return -1;
      if (j === 1) return 0;
      const choice = this.folders.h(j, 31) % (j + 1);
      return choice === j ? -1 : choice;
    }
    if (folders === 0 || j === 0) return -1;
    if (kind === 'emails' && j === 1) return Math.min(1, folders - 1);
    const choice = this.set(kind).h(j, 31) % (folders + 1);
    return choice === folders ? -1 : choice;
  }

  /** Whether `place` is `level` or lies under it (the root holds everything). */
  within(place: Place, level: Place): boolean {
    for (let at = place, depth = 0; depth <= this.folders.count; depth++) {
      if (at === level) return true;
      if (at === -1) return false;
      at = this.placeOf('folders', at);
    }
    return false;
  }

  private parentId(kind: DesignStudioKind, j: number): string | null {
    const place = this.placeOf(kind, j);
    return place < 0 ? null : this.folderId(place);
  }

  /** Item j as a listing shows it. */
  row(kind: DesignStudioKind, j: number): Json {
    if (kind === 'folders') return this.folder(j);
    return kind === 'emails' ? this.email(j) : this.component(j);
  }

  folder(j: number): Json {
    const set = this.folders;
    return { id: this.folderId(j), name: FOLDER_NAMES[j] ?? `Folder ${j + 1}`, parent_folder_id: this.parentId('folders', j), created: set.created(j), updated: set.updated(j) };
  }

  email(j: number): Json {
    const set = this.emails;
    const h = set.h(j);
    return {
      id: this.uuid('emails', j),
      name: `${pick(EMAIL_NAMES, h)} ${j + 1}`,
      is_template: h % 3 === 0,
      is_linked: h % 4 !== 0,
      has_translations: h % 5 === 0,
      parent_folder_id: this.parentId('emails', j),
      created: set.created(j),
      updated: set.updated(j),
    };
  }

  /** `GET /v1/design_studio/emails/{id}`: the row and its content (which changes with every edit), envelope and transformers. */
  emailDetail(j: number): Json {
    const row = this.email(j);
    const version = (row.updated as number) % 997;
    const paragraphs = Array.from({ length: 1 + (this.emails.h(j, 5) % 6) }, (_, p) => `<p>Paragraph ${p + 1} of ${String(row.name)}, version ${version}.</p>`).join('');
    return {
      ...row,
      available_languages: row.has_translations ? ['en', 'de'] : ['en'],
      content: {
        subject: `${String(row.name)} (v${version})`,
        preheader_text: this.emails.h(j, 6) % 2 === 0 ? `Preview of ${String(row.name)}` : '',
        html: `<!doctype html><html><head><style>p{margin:0}</style></head><body>${paragraphs}</body></html>`,
        amp: '',
        text: `${String(row.name)}, version ${version}`,
      },
      envelope: { from_id: 1, from: 'Sandbox <news@example.com>', reply_to_id: null, reply_to: '', recipient: '{{customer.email}}', bcc: '', fake_bcc: true, headers: [] },
      transformers: { css_inliner: { enabled: this.emails.h(j, 7) % 2 === 0 }, url_parameters: { enabled: false, parameters: [] } },
    };
  }

  component(j: number): Json {
    const set = this.components;
    const name = `${COMPONENT_NAMES[j % COMPONENT_NAMES.length]}${j >= COMPONENT_NAMES.length ? ` ${j + 1}` : ''}`;
    return {
      id: this.uuid('components', j),
      name,
      tag: name.toLowerCase().replace(/ /g, '-'),
      parent_folder_id: this.parentId('components', j),
      created: set.created(j),
      updated: set.updated(j),
    };
  }

  /** The index of a live email by UUID, or -1. */
  emailIndex(uuid: string): number {
    for (const j of this.emails.live()) if (this.uuid('emails', j) === uuid) return j;
    return -1;
  }

}

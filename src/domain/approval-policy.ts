/**
 * `approval_policy` in reverie.yaml: what a dream under `approval: automatic` still leaves to a person. The rules
 * that apply it are in `review/approval-policy.ts`; see docs/security.md.
 */
export interface ApprovalPolicy {
  /** Hold an entry that names a URL. */
  holdUrls: boolean;
  /** Hold an entry that names a shell command line. */
  holdShellCommands: boolean;
  /** Changed lines (added plus removed, in the diffs) per file per dream that a dream may apply on its own. */
  maxChangedLines: number;
  /**
   * Hold the removal of an entry found stale (no supporting evidence in the window): the evidence may be gone
   * because the entry works.
   */
  holdStaleRemovals: boolean;
}

export const defaultApprovalPolicy: ApprovalPolicy = {
  holdUrls: true,
  holdShellCommands: true,
  maxChangedLines: 20,
  holdStaleRemovals: true,
};

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
}

export const defaultApprovalPolicy: ApprovalPolicy = {
  holdUrls: true,
  holdShellCommands: true,
  maxChangedLines: 20,
};

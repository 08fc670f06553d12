// What a remote command reports on its error stream when it ends (upstream remotecommand's
// ServeExec/ServeAttach): a metav1.Status, JSON in protocol v4 and later, only the message of a
// failure before. Shaped as Go marshals the StatusError's Status: no kind or apiVersion, an empty
// metadata, no code unless the error has one. client-go turns reason NonZeroExitCode with an
// ExitCode cause into an exit error, and kubectl exits with that code.
import type { Status } from 'kubernetes-types/meta/v1.js';

export type RemoteCommandStatus = Pick<Status, 'metadata' | 'status' | 'message' | 'reason' | 'details' | 'code'>;

export const NON_ZERO_EXIT_CODE_REASON = 'NonZeroExitCode';
export const EXIT_CODE_CAUSE_TYPE = 'ExitCode';

export const successStatus = (): RemoteCommandStatus => ({ metadata: {}, status: 'Success' });

/** Go's %v of a []string: `[sh -c echo hi]`. */
const goStrings = (values: readonly string[]): string => `[${values.join(' ')}]`;

/**
 * A command that exited with `code` != 0. The message is the kubelet's wrapping of containerd's
 * exec error ("error executing command [...], exit code N"), what users of containerd see.
 */
export function exitCodeStatus(code: number, command: readonly string[]): RemoteCommandStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${goStrings(command)}, exit code ${code}`,
    reason: NON_ZERO_EXIT_CODE_REASON,
    details: { causes: [{ reason: EXIT_CODE_CAUSE_TYPE, message: String(code) }] },
  };
}

/** apierrors.NewInternalError(err) as the error stream carries it. */
export function internalErrorStatus(message: string): RemoteCommandStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/** The error stream's bytes: JSON from v4 on; before, a failure's message and nothing for success. */
export function encodeStatus(status: RemoteCommandStatus, json: boolean): Buffer {
  if (json) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? Buffer.alloc(0) : Buffer.from(status.message ?? '');
}

/**
 * The network layer. {@link dev.musicgen.internal.hub.HubClient} is its entry point: it resolves Hugging Face Hub
 * files to local paths in the cache layout shared with Python's {@code huggingface_hub}
 * ({@link dev.musicgen.internal.hub.HubCacheLayout}: blobs, snapshots, refs), downloads other files (the HTDemucs
 * checkpoint) into the assets cache, and fetches {@code http(s):} input audio. Beneath it: {@code HubSettings}
 * (environment, token, timeouts, retries, offline mode), {@code HttpTransport} (requests, redirects, the offline
 * rule, failures named by their cause), {@code Downloader} (resume, retries with backoff, size and sha256 checks) and
 * {@code TransferWatchdog} (stalls, drips, deadlines). Failures are {@link dev.musicgen.HubException}s with a
 * {@link dev.musicgen.HubException.Reason}. See {@code docs/HUB.md}.
 */
package dev.musicgen.internal.hub;

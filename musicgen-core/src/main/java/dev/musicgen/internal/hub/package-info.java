/**
 * Hugging Face Hub access: {@link dev.musicgen.internal.hub.HubClient} resolves repository files to local paths
 * in the cache layout shared with Python's {@code huggingface_hub} (blobs, snapshots, refs), with
 * resumable, sha256-verified downloads, tokens for gated repositories, an offline mode that never
 * touches the network, and local directories that stand in for repositories. See {@code docs/HUB.md}.
 */
package dev.musicgen.internal.hub;

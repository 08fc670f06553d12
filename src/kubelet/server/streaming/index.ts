/** The kubelet's exec, attach and port-forward endpoints and the protocols behind them. */
export { StreamingServer, parseStreamingPath } from './server.js';
export type { StreamingOptions, StreamingRoute, StreamTarget } from './server.js';
export type { StreamRequest } from './handshake.js';
export { isWebSocketRequest, refuse } from './handshake.js';
export { remoteCommandOptions, SPDY_REMOTECOMMAND_PROTOCOLS, WEBSOCKET_REMOTECOMMAND_PROTOCOLS } from './remotecommand.js';
export type { RemoteCommandOptions } from './remotecommand.js';
export { PORT_FORWARD_PROTOCOL, SPDY_TUNNEL_PROTOCOL, WEBSOCKET_PORTFORWARD_PROTOCOLS, portForwardPorts } from './portforward.js';
export { exitCodeStatus, internalErrorStatus, successStatus, encodeStatus } from './status.js';
export type { RemoteCommandStatus } from './status.js';
export { SpdySession, SpdyStream } from './spdy-session.js';
export { SpdyFrameParser } from './spdy-frames.js';
export type { SpdyFrame } from './spdy-frames.js';
export { HeaderCompressor, HeaderDecompressor } from './spdy-headers.js';
export type { SpdyHeaders } from './spdy-headers.js';
export { Channel, ChannelConnection, decodeChannelMessage, encodeChannelMessage, negotiateSubprotocol } from './websocket-channels.js';
export type { TerminalSize } from './resize.js';

/**
 * The error catalogue: every failure cqfleet reports, mapped to its retcode in one place, so
 * the same failure gets the same envelope on HTTP, forward WS and reverse WS.
 *
 * Tags and retcodes follow go-cqhttp (reference §1.4–1.5, §2.2): retcode 100 with an
 * UPPER_SNAKE `msg` for almost everything, 404 for unknown actions, 200 for the two
 * group-file deletes. Tags marked "cqfleet" exist because a cluster can fail in ways a single
 * go-cqhttp process cannot (no worker owns the account, a service is down, …).
 */

export interface ErrorSpec {
  readonly retcode: number;
  /** Human text in go-cqhttp's language; becomes `wording` and `message`. */
  readonly wording: string;
}

export const ERRORS = {
  // Routing and protocol
  API_NOT_FOUND: { retcode: 404, wording: 'API不存在' },
  API_NOT_IMPLEMENTED: { retcode: 404, wording: 'cqfleet 尚未实现该 API' },
  INVALID_PARAMS: { retcode: 100, wording: '参数错误' },
  // Messages
  EMPTY_MSG_ERROR: { retcode: 100, wording: '消息体为空' },
  SEND_MSG_API_ERROR: { retcode: 100, wording: '请参考 go-cqhttp 端输出' },
  MESSAGE_NOT_FOUND: { retcode: 100, wording: '消息不存在' },
  MSG_NOT_FOUND: { retcode: 100, wording: '消息不存在' },
  RECALL_API_ERROR: { retcode: 100, wording: '撤回消息失败' },
  CANNOT_RECALL_FRIEND_MSG: { retcode: 100, wording: '无法撤回对方消息' },
  EMPTY_NODES: { retcode: 100, wording: '转发消息节点为空或无法打包' },
  MESSAGES_API_ERROR: { retcode: 100, wording: '获取历史消息失败' },
  UNKNOWN_ERROR: { retcode: 100, wording: '未知错误' },
  // Groups and members
  GROUP_NOT_FOUND: { retcode: 100, wording: '群聊不存在' },
  GROUP_INFO_API_ERROR: { retcode: 100, wording: '获取群信息失败' },
  GROUP_SEARCH_ERROR: { retcode: 100, wording: '群聊搜索失败' },
  MEMBER_NOT_FOUND: { retcode: 100, wording: '群员不存在' },
  GROUP_MEMBER_NOT_FOUND: { retcode: 100, wording: '群员不存在' },
  GET_MEMBER_INFO_API_ERROR: { retcode: 100, wording: '获取群员信息失败' },
  GET_MEMBERS_API_ERROR: { retcode: 100, wording: '获取群员列表失败' },
  NOT_MANAGEABLE: { retcode: 100, wording: '机器人权限不足' },
  PERMISSION_DENIED: { retcode: 100, wording: '群不存在或权限不足' },
  DURATION_IS_NOT_IN_RANGE: { retcode: 100, wording: '非法的禁言时长' },
  INVALID_FLAG: { retcode: 100, wording: '无效的flag' },
  CALL_API_ERROR: { retcode: 100, wording: '调用失败' },
  GROUP_REMAIN_API_ERROR: { retcode: 100, wording: '获取剩余@全体成员次数失败' },
  // Requests
  FLAG_NOT_FOUND: { retcode: 100, wording: 'FLAG不存在' },
  FLAG_HAS_BEEN_CHECKED: { retcode: 100, wording: '消息已被处理' },
  SYSTEM_MSG_API_ERROR: { retcode: 100, wording: '获取群系统消息失败' },
  // Friends and users
  SUMMARY_API_ERROR: { retcode: 100, wording: '获取用户信息失败' },
  FRIEND_NOT_FOUND: { retcode: 100, wording: '好友不存在' },
  DELETE_API_ERROR: { retcode: 100, wording: '删除失败' },
  API_ERROR: { retcode: 100, wording: '调用失败' },
  // Files and media
  FILE_NOT_FOUND: { retcode: 100, wording: '文件不存在' },
  OPEN_FILE_ERROR: { retcode: 100, wording: '打开文件失败' },
  LOAD_FILE_ERROR: { retcode: 100, wording: '加载文件失败' },
  FILE_SYSTEM_API_ERROR: { retcode: 100, wording: '获取群文件系统失败' },
  FILE_SYSTEM_UPLOAD_API_ERROR: { retcode: 100, wording: '上传失败' },
  FILE_SYSTEM_DELETE_API_ERROR: { retcode: 200, wording: '删除失败' },
  DOWNLOAD_IMAGE_ERROR: { retcode: 100, wording: '下载图片失败' },
  DOWNLOAD_FILE_ERROR: { retcode: 100, wording: '下载文件失败' },
  DELETE_FILE_ERROR: { retcode: 100, wording: '删除缓存文件失败' },
  IMAGE_NOT_FOUND: { retcode: 100, wording: '图片不存在' },
  OCR_API_ERROR: { retcode: 100, wording: 'OCR失败' },
  WORD_SEGMENTATION_API_ERROR: { retcode: 100, wording: '分词失败' },
  RECORD_CONVERT_ERROR: { retcode: 100, wording: '语音转换失败' },
  FORBIDDEN_ADDRESS: { retcode: 100, wording: '不允许访问该地址' },
  FILE_OUTSIDE_ROOTS: { retcode: 100, wording: '不允许读取该路径' },
  // cqfleet: the seed's limits on media for sending, as failures of their own
  MEDIA_TOO_LARGE: { retcode: 100, wording: '图片总大小不能超过30MB, 视频不能超过上限' },
  GIF_TOO_MANY_FRAMES: { retcode: 100, wording: 'gif总帧数不能超过300帧' },
  COVER_NOT_JPEG: { retcode: 100, wording: '视频封面格式必须为jpg' },
  UPLOAD_MEDIA_ERROR: { retcode: 100, wording: '上传媒体失败' },
  // Essence, notices, misc go-cqhttp extensions
  SET_ESSENCE_MSG_ERROR: { retcode: 100, wording: '设置精华消息失败' },
  GET_ESSENCE_LIST_FOUND: { retcode: 100, wording: '获取精华消息列表失败' },
  SEND_NOTICE_ERROR: { retcode: 100, wording: '发送公告失败' },
  DELETE_NOTICE_ERROR: { retcode: 100, wording: '删除公告失败' },
  GET_NOTICE_ERROR: { retcode: 100, wording: '获取群公告失败' },
  GET_MODEL_SHOW_API_ERROR: { retcode: 100, wording: '获取在线机型失败' },
  SET_MODEL_SHOW_API_ERROR: { retcode: 100, wording: '设置在线机型失败' },
  REFRESH_STATUS_ERROR: { retcode: 100, wording: '刷新客户端状态失败' },
  QIDIAN_PROTOCOL_REQUEST: { retcode: 100, wording: '请使用企点协议' },
  NEXT_TOKEN_NOT_EXISTS: { retcode: 100, wording: '目标分页不存在' },
  GUILD_NOT_MATCH: { retcode: 100, wording: '请求频道与缓存不匹配' },
  // cqfleet: the cluster
  ACCOUNT_NOT_SPECIFIED: {
    retcode: 100,
    wording: '无法确定要使用的账号, 请在路径、X-Self-ID 或 self_id 中指定',
  },
  ACCOUNT_NOT_FOUND: { retcode: 100, wording: '账号不存在' },
  ACCOUNT_FORBIDDEN: { retcode: 100, wording: '该令牌无权使用此账号或此 API' },
  ACCOUNT_OFFLINE: { retcode: 100, wording: '账号不在线' },
  SESSION_UNAVAILABLE: { retcode: 100, wording: '没有会话节点持有该账号' },
  OWNERSHIP_MOVED: { retcode: 100, wording: '账号所有权已转移, 操作未执行' },
  SERVICE_UNAVAILABLE: { retcode: 100, wording: '后端服务不可用' },
  TIMEOUT: { retcode: 100, wording: '操作超时' },
  INTERNAL_ERROR: { retcode: 100, wording: '内部错误' },
  UPSTREAM_REFUSED: { retcode: 100, wording: '上游 OneBot 实现拒绝了访问令牌' },
  // cqfleet: refusals of hostile or oversized input (issue 15); each is a documented limit
  TOKEN_MISSING: { retcode: 1401, wording: '缺少访问令牌' },
  TOKEN_INVALID: { retcode: 1403, wording: '访问令牌错误' },
  OPERATOR_ONLY: { retcode: 100, wording: '仅运营者令牌可以调用该 API' },
  REQUEST_TOO_LARGE: { retcode: 100, wording: '请求体超过上限' },
  RESULT_TOO_LARGE: { retcode: 100, wording: '结果超过服务间消息上限, 无法返回' },
  RATE_LIMIT_QUEUE_FULL: { retcode: 100, wording: '限速队列已满, 请稍后再试' },
  DOWNLOAD_TIMEOUT: { retcode: 100, wording: '下载超时' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorTag = keyof typeof ERRORS;

/**
 * A failure that travels to the client as an envelope. `msg` is the tag; `wording` defaults
 * to the catalogue's text. Handlers throw it; transports turn it into `failed(...)`.
 */
export class OneBotError extends Error {
  override readonly name = 'OneBotError';
  readonly retcode: number;
  readonly msg: string;
  readonly wording: string;

  constructor(tag: ErrorTag, wording?: string, options?: ErrorOptions & { retcode?: number }) {
    const spec = (ERRORS as Record<string, ErrorSpec | undefined>)[tag];
    const text = wording ?? spec?.wording ?? tag;
    super(`${tag}: ${text}`, options);
    this.retcode = options?.retcode ?? spec?.retcode ?? 100;
    this.msg = tag;
    this.wording = text;
  }

  /** A failure that arrived as data (from another service), kept exactly as it was. */
  static fromFailure(retcode: number, msg: string, wording: string): OneBotError {
    return new OneBotError(msg as ErrorTag, wording, { retcode });
  }
}

export function isOneBotError(err: unknown): err is OneBotError {
  return err instanceof Error && err.name === 'OneBotError' && 'retcode' in err;
}

/** Shorthand for `throw new OneBotError(tag, wording)` in expression position. */
export function fail(tag: ErrorTag, wording?: string): never {
  throw new OneBotError(tag, wording);
}

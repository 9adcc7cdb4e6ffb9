/**
 * The simulator's names for the QQ side's shapes (defined, with their schemas, in
 * `@cqfleet/qq-side`): what the simulated QQ network knows about people, groups, messages and
 * files.
 */
import type {
  Anonymous,
  Device,
  Essence,
  FileListing,
  FileSystemInfo,
  ForwardNode,
  ForwardNodeInput,
  Friend,
  Group,
  GroupFile,
  GroupFolder,
  GroupHistoryMessage,
  GroupSender,
  GroupSystemMessages,
  Guild,
  HonorInfo,
  HonorMember,
  Member,
  Notice,
  PrivateSender,
  RecentContact,
  StoredMessage,
  UnidirectionalFriend,
  User,
  VipInfo,
} from '@cqfleet/qq-side';

export type Sex = User['sex'];
export type Role = Member['role'];
export type SimUser = User;
export type SimFriend = Friend;
export type SimUnidirectionalFriend = UnidirectionalFriend;
export type SimVipInfo = VipInfo;
export type SimDevice = Device;
export type SimGroup = Group;
export type SimMember = Member;
export type SimGroupSender = GroupSender;
export type SimPrivateSender = PrivateSender;
export type SimGroupHistoryMessage = GroupHistoryMessage;
export type SimAnonymous = Anonymous;
export type SimStoredMessage = StoredMessage;
export type SimHonorMember = HonorMember;
export type SimHonorInfo = HonorInfo;
export type SimNotice = Notice;
export type SimGroupSystemMessages = GroupSystemMessages;
export type SimEssence = Essence;
export type SimRecentContact = RecentContact;
export type SimGroupFile = GroupFile;
export type SimGroupFolder = GroupFolder;
export type SimFileListing = FileListing;
export type SimFileSystemInfo = FileSystemInfo;
export type SimForwardNodeInput = ForwardNodeInput;
export type SimForwardNode = ForwardNode;
export type SimGuild = Guild;

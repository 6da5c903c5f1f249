/**
 * The SDK with the usual Workers workaround for aws/aws-sdk-js-v3#7375: @xmldom/xmldom's DOMParser
 * (and its Node, for the node-type constants the SDK's browser XML reader compares against)
 * installed as globals before the SDK parses anything.
 */
import { DOMParser, Node } from "@xmldom/xmldom";
import worker from "./sdk-worker.mjs";

globalThis.DOMParser ??= DOMParser;
globalThis.Node ??= Node;
export default worker;

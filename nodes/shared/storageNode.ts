import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { storageFor, Storage, type S3Credentials } from './transport/storage';

export function toS3Credentials(data: ICredentialDataDecryptedObject): S3Credentials {
	return {
		endpoint: String(data.endpoint ?? ''),
		region: String(data.region || 'us-east-1'),
		accessKey: String(data.accessKey ?? ''),
		secretKey: String(data.secretKey ?? ''),
		bucket: String(data.bucket || 'reelsmith'),
		forcePathStyle: data.forcePathStyle !== false,
	};
}

/** Object storage for the node's `reelsmithS3Api` credential. */
export async function getStorage(this: IExecuteFunctions): Promise<Storage> {
	const credentials = await this.getCredentials('reelsmithS3Api');
	return storageFor(toS3Credentials(credentials));
}

/** Credential test shared by every node that uses object storage: the bucket must exist and be listable. */
export async function testS3Credential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const storage = new Storage(toS3Credentials(credential.data ?? {}));
		if (!(await storage.client.bucketExists(storage.bucket))) {
			return {
				status: 'Error',
				message: `Connected, but the bucket "${storage.bucket}" does not exist. Create it or change the Bucket field.`,
			};
		}
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: `Could not reach the S3 endpoint: ${(error as Error).message}` };
	}
}

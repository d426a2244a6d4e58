import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { getDb, inputJson, requireRun, runIdField } from '../common';

const show = { resource: ['scene'], operation: ['recordFrameCheck'] };

export const description: INodeProperties[] = [
	runIdField('scene', 'recordFrameCheck'),
	{
		displayName: 'Scene Number',
		name: 'sceneNumber',
		type: 'number',
		required: true,
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the scene item's field by default
		default: '={{ $json.sceneNumber }}',
		displayOptions: { show },
	},
	{
		displayName: 'Minimum Score',
		name: 'minScore',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- the run's threshold, as Claude → Check Frame gets it
		default: '={{ $json.options.threshold }}',
		description: 'The score the frame needed (as given to Claude → Check Frame); named in the event and the reasons',
		displayOptions: { show },
	},
];

/** Fields of the frame check step that must not reach the next try of the scene (it is made again from this item). */
const STEP_FIELDS = ['usage', 'cost', 'event', 'artifact', 'thumbnail', 'frameCheck'];

interface FrameCheck {
	score: number;
	reasons: string[];
	passed: boolean;
}

/**
 * Keeps Claude's frame check of a scene (the item Claude → Check Frame leaves: `frameCheck`, or `error` when the
 * check could not run) as a validation event. A frame that does not match fails the scene's `check`, with the
 * score and reasons as its problem, and hands the reasons to the next try as `validationFeedback`; a frame that
 * matches, or a check that could not run, leaves the item as it is (plus `event`), so the ffmpeg check decides.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = inputJson.call(this, itemIndex);
	const sceneNumber = Number(this.getNodeParameter('sceneNumber', itemIndex, 0));
	if (!Number.isInteger(sceneNumber) || sceneNumber < 1) {
		throw new NodeOperationError(this.getNode(), `"Scene Number" must be a whole number from 1 (got ${sceneNumber}).`, { itemIndex });
	}
	const minScore = Number(this.getNodeParameter('minScore', itemIndex, 0));
	const frameCheck = readFrameCheck(item.frameCheck);
	if (item.frameCheck && !frameCheck) {
		throw new NodeOperationError(this.getNode(), `The item's "frameCheck" is not a frame check (score, reasons, passed).`, {
			itemIndex,
			description: 'Connect this node after Claude → Check Frame.',
		});
	}

	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const thumbnail = (item.thumbnail ?? {}) as IDataObject;
	const cost = (item.cost ?? null) as IDataObject | null;
	const event = await recordEvent(db, {
		runId: run.id,
		stage: 'validation',
		status: 'info',
		sceneNumber,
		message: frameCheck
			? `Scene ${sceneNumber} frame check: ${frameCheck.score}/100 (needs ${minScore}). ${frameCheck.reasons.join('; ')}`
			: `Scene ${sceneNumber}: the frame check could not run, so the clip is kept as checked by ffmpeg. ${String(item.error ?? '')}`,
		data: frameCheck
			? {
					check: 'frame',
					score: frameCheck.score,
					reasons: frameCheck.reasons,
					passed: frameCheck.passed,
					threshold: minScore,
					attempt: item.attempts,
					frameKey: thumbnail.key,
					costUsd: cost ? cost.amountUsd : null,
				}
			: { check: 'frame', error: item.error },
	});

	if (!frameCheck || frameCheck.passed) {
		return [{ json: { ...item, event: { id: event.id, stage: event.stage, status: event.status, sceneNumber: event.sceneNumber } } }];
	}
	const nextTry = Object.fromEntries(Object.entries(item).filter(([field]) => !STEP_FIELDS.includes(field)));
	const problem = `the picture does not match the scene (frame check ${frameCheck.score}/100, needs ${minScore}): ${frameCheck.reasons.join('; ')}`;
	return [
		{
			json: {
				...nextTry,
				validationFeedback: frameCheck.reasons,
				check: { ...((item.check ?? {}) as IDataObject), ok: false, problems: [problem] },
			},
		},
	];
}

function readFrameCheck(value: unknown): FrameCheck | null {
	if (!value || typeof value !== 'object') return null;
	const { score, reasons, passed } = value as Record<string, unknown>;
	if (typeof score !== 'number' || !Array.isArray(reasons) || typeof passed !== 'boolean') return null;
	return { score, reasons: reasons.map(String), passed };
}

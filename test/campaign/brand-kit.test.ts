import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { checkBrandKit } from '../../nodes/Campaign/lib/brandKit';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import { brandKitVersion, brandKitVersions, latestBrandKit, saveBrandKit } from '../../nodes/Campaign/store/brandKits';
import { ensureCampaign } from '../../nodes/Campaign/store/campaigns';
import { acceptParams, fountain, runCampaign, useStore, webhookItem } from './fixture';

describe('brand kit: checking a kit', () => {
	it('takes a full kit and fills the logo defaults', () => {
		const check = checkBrandKit({
			preset: 'shorts',
			style: 'terminal',
			terminalScheme: 'amber',
			loudnessTarget: -16,
			colors: { background: '#102030', subtitles: '#FFD400' },
			fonts: { heading: 'DejaVu Serif' },
			logo: { key: 'brand/acme/logo.png' },
		});
		assert.ok(check.ok);
		assert.deepEqual(check.kit.logo, { key: 'brand/acme/logo.png', position: 'bottomRight', size: 0.15, opacity: 0.8 });
	});

	for (const [what, kit, field, message] of [
		['a colour that is no #rrggbb', { colors: { background: 'red' } }, 'brand.colors.background', /#rrggbb/],
		['an unknown colour', { colors: { border: '#000000' } }, 'brand.colors.border', /may have: background, backgroundBottom/],
		['an unknown preset', { preset: 'vhs' }, 'brand.preset', /one of youtube/],
		['a font that is not installed', { fonts: { body: 'Comic Sans' } }, 'brand.fonts.body', /DejaVu Serif/],
		['loudness out of range', { loudnessTarget: 3 }, 'brand.loudnessTarget', /-30 to -5/],
		["a logo among a run's artifacts", { logo: { key: 'runs/x/final/youtube.mp4' } }, 'brand.logo.key', /names a run's artifact/],
		['a logo that is too large', { logo: { key: 'brand/l.png', size: 0.9 } }, 'brand.logo.size', /0.03 to 0.5/],
		['an unknown part', { watermark: {} }, 'brand.watermark', /may have: preset, style/],
		["an intro among a run's artifacts", { intro: { key: 'runs/x/final/youtube.mp4' } }, 'brand.intro.key', /names a run's artifact/],
		['an outro key with ".." in it', { outro: { key: 'brand/../x.mp4' } }, 'brand.outro.key', /without a leading "\/" or "\.\." parts/],
		['an intro URL on a private host', { intro: { url: 'https://10.0.0.7/intro.mp4' } }, 'brand.intro.url', /private network address; use a public URL/],
		['an outro URL that is not https', { outro: { url: 'ftp://example.com/outro.mp4' } }, 'brand.outro.url', /must be an https URL/],
		['an intro with both a key and a URL', { intro: { key: 'brand/i.mp4', url: 'https://example.com/i.mp4' } }, 'brand.intro', /"key".*"url".*one of them/],
		['an intro that is a bare text', { intro: 'brand/intro.mp4' }, 'brand.intro', /\{"key"/],
	] as const) {
		it(`refuses ${what}, naming ${field}`, () => {
			const check = checkBrandKit(kit);
			assert.ok(!check.ok);
			assert.equal(check.field, field);
			assert.match(check.message, message);
		});
	}
});

describe('brand kit: intro and outro', () => {
	it('takes a key or a URL, and null for none', () => {
		const check = checkBrandKit({ intro: { key: 'brand/acme/intro.mp4' }, outro: { url: 'https://example.com/outro.mp4' } });
		assert.ok(check.ok);
		assert.deepEqual([check.kit.intro, check.kit.outro], [{ key: 'brand/acme/intro.mp4' }, { url: 'https://example.com/outro.mp4' }]);
		assert.ok(checkBrandKit({ intro: null }).ok);
	});

	for (const [what, body, field, message] of [
		["a run's artifact as the intro", { intro: { key: 'runs/x/scenes/001/scene.mp4' } }, 'intro.key', /names a run's artifact/],
		['an outro on a private host', { outro: { url: 'https://192.168.1.2/o.mp4' } }, 'outro.url', /public host/],
		['an intro with an unknown part', { intro: { key: 'brand/i.mp4', start: 2 } }, 'intro.start', /unknown field "start"/],
		['an outro that is true', { outro: true }, 'outro', /false for no outro/],
	] as const) {
		it(`a request with ${what} gets a 400 naming ${field}`, () => {
			const check = validateRunRequest({ script: fountain(1), ...body });
			assert.ok(!check.ok);
			assert.equal(check.status, 400);
			assert.equal(check.field, field);
			assert.match(check.message, message);
		});
	}

	it('a request sends its own clip or false for none; left out, the kit fills it', () => {
		const own = validateRunRequest({ script: fountain(1), intro: { url: 'https://example.com/i.mp4' }, outro: false });
		assert.ok(own.ok);
		assert.deepEqual([own.options.intro, own.options.outro], [{ url: 'https://example.com/i.mp4' }, null]);
		assert.deepEqual(own.sent.sort(), ['intro', 'outro', 'script'], 'false counts as sent, so the kit does not fill it');
	});
});

describe('brand kit: store and runs', () => {
	const store = useStore({ s3: false, resetRuns: true });

	it('saves each kit as the next version and reads the latest or any one', async () => {
		const campaign = await ensureCampaign(store.db, 'Brand store');
		assert.equal(await latestBrandKit(store.db, campaign.id), null);
		const first = await saveBrandKit(store.db, campaign.id, { preset: 'shorts' });
		const [second, third] = await Promise.all([
			saveBrandKit(store.db, campaign.id, { preset: 'square' }),
			saveBrandKit(store.db, campaign.id, { preset: 'youtube' }),
		]);
		assert.equal(first.version, 1);
		assert.deepEqual([second.version, third.version].sort(), [2, 3], 'two saves at once get two versions');
		assert.equal((await latestBrandKit(store.db, campaign.id))!.version, 3);
		assert.deepEqual((await brandKitVersion(store.db, campaign.id, 1))!.kit, { preset: 'shorts' });
		assert.deepEqual(
			(await brandKitVersions(store.db, campaign.id)).map((v) => v.version),
			[3, 2, 1],
		);
		const other = await ensureCampaign(store.db, 'Brand store, other');
		assert.equal(await latestBrandKit(store.db, other.id), null, "another campaign's kit is its own");
	});

	it('tells which fields a request sent (null counts as not sent)', () => {
		const check = validateRunRequest({ script: fountain(1), preset: 'shorts', style: null });
		assert.ok(check.ok);
		assert.deepEqual(check.sent.sort(), ['preset', 'script']);
	});

	async function accept(body: Record<string, unknown>) {
		const items = [webhookItem(body)];
		const [[item]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		const { rows } = await store.db.query('select options, brand_version from runs where id = $1', [item.json.runId]);
		return { item, options: rows[0].options, brandVersion: rows[0].brand_version };
	}

	it("fills what a run leaves out from the campaign's newest kit, keeps what it sent, and records the version", async () => {
		const campaign = await ensureCampaign(store.db, 'Brand runs');
		const before = await accept({ script: fountain(1), campaign: 'Brand runs' });
		assert.equal(before.brandVersion, null, 'no kit yet');
		assert.equal(before.options.preset, 'youtube');

		await saveBrandKit(store.db, campaign.id, { preset: 'square', loudnessTarget: -20 });
		await saveBrandKit(store.db, campaign.id, {
			preset: 'shorts',
			style: 'terminal',
			loudnessTarget: -16,
			colors: { background: '#102030' },
			logo: { key: 'brand/logo.png', position: 'topLeft', size: 0.2, opacity: 0.5 },
		});
		const kitted = await accept({ script: fountain(1), campaign: 'Brand runs' });
		assert.equal(kitted.brandVersion, 2);
		assert.equal(kitted.options.preset, 'shorts');
		assert.equal(kitted.options.style, 'terminal');
		assert.equal(kitted.options.loudnessTarget, -16);
		assert.deepEqual(kitted.options.brand, {
			version: 2,
			colors: { background: '#102030' },
			logo: { key: 'brand/logo.png', position: 'topLeft', size: 0.2, opacity: 0.5 },
		});
		assert.equal((kitted.item.json.options as Record<string, unknown>).preset, 'shorts', "Accept's answer shows the run's options");

		const own = await accept({ script: fountain(1), campaign: 'Brand runs', preset: 'youtube', loudnessTarget: -14 });
		assert.equal(own.brandVersion, 2);
		assert.equal(own.options.preset, 'youtube', 'the preset the request sent wins over the kit');
		assert.equal(own.options.loudnessTarget, -14);
		assert.equal(own.options.style, 'terminal', 'what it left out still comes from the kit');

		await saveBrandKit(store.db, campaign.id, { intro: { key: 'brand/intro.mp4' }, outro: { url: 'https://example.com/outro.mp4' } });
		const bookended = await accept({ script: fountain(1), campaign: 'Brand runs' });
		assert.deepEqual([bookended.options.intro, bookended.options.outro], [{ key: 'brand/intro.mp4' }, { url: 'https://example.com/outro.mp4' }]);
		const noIntro = await accept({ script: fountain(1), campaign: 'Brand runs', intro: false, outro: { key: 'clips/mine.mp4' } });
		assert.deepEqual([noIntro.options.intro, noIntro.options.outro], [null, { key: 'clips/mine.mp4' }], "the request's false and own clip win over the kit");

		const elsewhere = await accept({ script: fountain(1), campaign: 'No kit here' });
		assert.equal(elsewhere.brandVersion, null);
		assert.equal(elsewhere.options.brand, undefined);
	});
});

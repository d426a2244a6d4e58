import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import data from '../../../../nodes/shared/data/languages.json';

/** The languages a run may be in (nodes/shared/data/languages.json, the list the webhook checks), by name. */
export const LANGUAGES = Object.entries(data.languages)
	.map(([code, row]) => ({ code, name: row.name }))
	.sort((a, b) => a.name.localeCompare(b.name));

const TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** A typed BCP 47 tag whose language Reelsmith has ("de", "pt-br"), written as the webhook keeps it ("pt-BR"); else null. */
export function knownTag(text: string): string | null {
	const tag = text.trim();
	if (!TAG.test(tag) || tag.length > 35) return null;
	const [first, ...rest] = tag.split('-');
	const code = first.toLowerCase();
	if (!LANGUAGES.some((language) => language.code === code)) return null;
	return [code, ...rest.map((part) => (part.length === 2 ? part.toUpperCase() : part))].join('-');
}

/** "German (de)", "Portuguese (pt-BR)". */
export function languageLabel(tag: string): string {
	const name = LANGUAGES.find((language) => language.code === tag.split('-')[0])?.name;
	return name ? `${name} (${tag})` : tag;
}

interface Choice {
	tag: string;
	label: string;
}

/**
 * A searchable language list: type part of a name ("germ") or a tag ("de", "pt-BR") and pick one. A typed tag of a
 * known language counts at once; empty is `emptyLabel` (every language, or the run's default).
 */
export function LanguagePicker({
	value,
	onChange,
	emptyLabel,
	testId,
}: {
	value: string;
	onChange: (tag: string) => void;
	emptyLabel: string;
	testId: string;
}) {
	const shown = value ? languageLabel(value) : '';
	const [text, setText] = useState(shown);
	const [open, setOpen] = useState(false);
	const [active, setActive] = useState(0);
	const listId = useId();
	useEffect(() => {
		if (!open) setText(shown);
	}, [shown, open]);

	const query = open && text !== shown ? text.trim().toLowerCase() : '';
	const typed = knownTag(query);
	const matches: Choice[] = LANGUAGES.filter(
		(language) => !query || language.name.toLowerCase().includes(query) || language.code === query.split('-')[0],
	).map((language) => ({
		tag: language.code,
		label: `${language.name} (${language.code})`,
	}));
	// A tag with a region (pt-BR) is offered as typed, above its language.
	if (typed && typed.includes('-')) matches.unshift({ tag: typed, label: languageLabel(typed) });
	const choices: Choice[] = [...(query ? [] : [{ tag: '', label: emptyLabel }]), ...matches];

	const pick = (tag: string) => {
		onChange(tag);
		setText(tag ? languageLabel(tag) : '');
		setOpen(false);
	};
	const keys = (event: KeyboardEvent<HTMLInputElement>) => {
		if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
			event.preventDefault();
			setOpen(true);
			const step = event.key === 'ArrowDown' ? 1 : -1;
			setActive((index) => Math.min(Math.max(0, index + step), Math.max(0, choices.length - 1)));
		} else if (event.key === 'Enter' && open) {
			// Enter picks the highlighted language instead of submitting the form.
			event.preventDefault();
			if (choices[active]) pick(choices[active].tag);
		} else if (event.key === 'Escape') {
			setOpen(false);
			setText(shown);
		}
	};

	return (
		<div className="language-picker">
			<input
				role="combobox"
				aria-expanded={open}
				aria-controls={listId}
				aria-autocomplete="list"
				value={text}
				placeholder={emptyLabel}
				onFocus={() => setOpen(true)}
				onBlur={() => {
					setOpen(false);
					setText(shown);
				}}
				onChange={(event) => {
					setText(event.target.value);
					setOpen(true);
					setActive(0);
					const tag = knownTag(event.target.value);
					if (tag) onChange(tag);
					else if (!event.target.value.trim()) onChange('');
				}}
				onKeyDown={keys}
				data-testid={testId}
			/>
			{open && (
				<ul role="listbox" id={listId} className="language-options" data-testid={`${testId}-options`}>
					{choices.length === 0 && <li className="muted">No language matches; Reelsmith has {LANGUAGES.length}.</li>}
					{choices.map((choice, index) => (
						<li
							key={choice.tag || 'empty'}
							role="option"
							aria-selected={index === active}
							// mousedown, not click: the input's blur would close the list before a click lands.
							onMouseDown={(event) => {
								event.preventDefault();
								pick(choice.tag);
							}}
							data-testid={`${testId}-option-${choice.tag || 'none'}`}
						>
							{choice.label}
						</li>
					))}
				</ul>
			)}
		</div>
	);
}
